package dev.profguard.detect;

import dev.profguard.probe.Names;

/**
 * A file mapped into a process, as listed in {@code /proc/PID/maps}.
 *
 * @param key        its name as the kernel reports it (without " (deleted)"), one char per byte
 *                   ({@link Names#key}): names are bytes, and this keeps them exact
 * @param device     the device of the mapped file, as maps writes it ("fd:01")
 * @param inode      the inode of the mapped file: with the device, what the mapping really is
 * @param deleted    whether the kernel marks the file deleted (or replaced) since it was mapped
 * @param executable whether any of its mappings is executable, i.e. its code is loaded
 * @param range      the address range of its first mapping, as written in maps ("7f..-7f..")
 */
public record MappedObject(String key, String device, long inode, boolean deleted, boolean executable, String range) {
    /** The name as text to show. */
    public String path() {
        return Names.display(Names.fromKey(key));
    }

    /** Where its first mapping starts (where the linker put the object), or -1 for a malformed range. */
    public long start() {
        int dash = range.indexOf('-');
        try {
            return Long.parseUnsignedLong(dash < 0 ? range : range.substring(0, dash), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The name's bytes. */
    public byte[] name() {
        return Names.fromKey(key);
    }
}
