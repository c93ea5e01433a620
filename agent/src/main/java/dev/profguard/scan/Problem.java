package dev.profguard.scan;

/**
 * Something a scan could not inspect: never counted as scanned, never clean.
 *
 * @param path   as the scan names it (archive members with {@code !/})
 * @param reason why, in a few words
 */
public record Problem(String path, String reason) {
}
