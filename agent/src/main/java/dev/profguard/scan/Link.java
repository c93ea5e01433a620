package dev.profguard.scan;

/**
 * A symbolic link the scan met.
 *
 * @param path     the link, as the scan names it
 * @param target   what it points to (its text), or null when unreadable
 * @param followed whether the scan went on to what it points to
 * @param note     why not, or what it resolved to
 */
public record Link(String path, String target, boolean followed, String note) {
}
