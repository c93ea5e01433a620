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
 * @param escaped    whether its name in the maps text holds a backslash: the kernel writes a newline
 *                   as "\012" and a backslash as it is, so the name cannot be told back and its file
 *                   is never read by that name (red team round 12)
 * @param headers    where its mappings of file offset 0 start: where an ELF header is mapped
 * @param code       its executable mappings, {start, end, start, end, ...}
 */
public record MappedObject(String key, String device, long inode, boolean deleted, boolean executable, String range,
                           boolean escaped, long[] headers, long[] code) {
    /** A mapping with no header or code recorded (what tests and callers that know no more make). */
    public MappedObject(String key, String device, long inode, boolean deleted, boolean executable, String range) {
        this(key, device, inode, deleted, executable, range, false, new long[0], new long[0]);
    }

    /** Its values, the arrays' contents included (the fleet's fingerprint of a process is made of this text). */
    @Override
    public String toString() {
        return "MappedObject[key=" + key + ", device=" + device + ", inode=" + inode + ", deleted=" + deleted
                + ", executable=" + executable + ", range=" + range + ", escaped=" + escaped + ", headers="
                + java.util.Arrays.toString(headers) + ", code=" + java.util.Arrays.toString(code) + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MappedObject that && toString().equals(that.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

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
