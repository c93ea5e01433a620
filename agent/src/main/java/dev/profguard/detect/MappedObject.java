package dev.profguard.detect;

/**
 * A file mapped into a process, as listed in {@code /proc/PID/maps}.
 *
 * @param path       the path the kernel reports, without the " (deleted)" mark
 * @param deleted    whether the kernel marks the file deleted (or replaced) since it was mapped
 * @param executable whether any of its mappings is executable, i.e. its code is loaded
 * @param range      the address range of its first mapping, as written in maps ("7f..-7f..")
 */
public record MappedObject(String path, boolean deleted, boolean executable, String range) {
}
