package dev.profguard.scan;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A bounded streaming reader of tar archives: ustar (with its name prefix), GNU long names and
 * long link names ({@code L}, {@code K}), GNU base-256 sizes and POSIX pax extended headers
 * ({@code x}: path, linkpath, size). Every header's checksum is verified; names are kept as the
 * bytes they are (a label for findings, never a path to write to).
 */
final class TarReader {
    static final int BLOCK = 512;

    /** One member: {@code name} and {@code link} as raw bytes decoded one byte per char. */
    record Entry(String name, char type, long size, String link) {
        boolean isRegular() {
            return type == '0' || type == '\0' || type == '7' || !isSpecial();
        }

        private boolean isSpecial() {
            return type >= '1' && type <= '6' || type == 'S' || type == 'V' || type == 'M' || type == 'D'
                    || type == 'N';
        }
    }

    private final InputStream in;
    private final int maxEntries;
    private final int maxName;
    private final byte[] header = new byte[BLOCK];
    private long remaining;
    private long padding;
    private int count;

    TarReader(InputStream in, int maxEntries, int maxName) {
        this.in = in;
        this.maxEntries = maxEntries;
        this.maxName = maxName;
    }

    /** Whether these leading bytes are a tar header (ustar magic, or a v7 header whose checksum holds). */
    static boolean isTar(byte[] head, int length) {
        if (length < BLOCK) {
            return false;
        }
        boolean ustar = head[257] == 'u' && head[258] == 's' && head[259] == 't' && head[260] == 'a' && head[261] == 'r';
        return (ustar || head[0] != 0) && checksumHolds(head);
    }

    /** The next member, or null at the end of the archive. */
    Entry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        String paxPath = null;
        String paxLink = null;
        long paxSize = -1;
        while (true) {
            int got = in.readNBytes(header, 0, BLOCK);
            if (got == 0 && count == 0) {
                throw new EOFException("empty: no tar header");
            }
            if (got == 0) {
                return null; // some writers omit the two zero blocks
            }
            if (got < BLOCK) {
                throw new EOFException("truncated tar header");
            }
            if (allZero(header)) {
                return null;
            }
            if (!checksumHolds(header)) {
                throw new IOException("tar header checksum does not hold (corrupt or not a tar)");
            }
            if (++count > maxEntries) {
                throw new ScanBounds("more than " + maxEntries + " tar members; the rest was not scanned");
            }
            char type = (char) (header[156] & 0xff);
            long size = size(header);
            if (size < 0) {
                throw new IOException("tar member with a negative or unparsable size");
            }
            if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                int limit = type == 'x' || type == 'g' ? maxName * 16 : maxName;
                if (size > limit) {
                    throw new ScanBounds("a tar " + (type == 'x' || type == 'g' ? "pax header" : "long name")
                            + " of " + size + " bytes (more than " + limit + ")");
                }
                byte[] data = in.readNBytes((int) size);
                if (data.length < size) {
                    throw new EOFException("truncated tar member");
                }
                skip(pad(size));
                if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = cString(data, 0, data.length);
                } else if (type == 'x') {
                    for (String[] record : pax(data)) {
                        if (record[0].startsWith("GNU.sparse.")) {
                            // a sparse member: its data is a map and pieces, not the file's bytes
                            throw new IOException("a sparse tar member (pax " + record[0] + "): its bytes are not read as a "
                                    + "file here; not inspected");
                        }
                        switch (record[0]) {
                            case "path" -> paxPath = record[1];
                            case "linkpath" -> paxLink = record[1];
                            case "size" -> paxSize = parseDecimal(record[1]);
                            default -> {
                            }
                        }
                    }
                }
                continue; // 'g' (global) headers carry nothing the scan uses
            }
            String name = cString(header, 0, 100);
            if (header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                    && header[261] == 'r' && header[345] != 0) {
                name = cString(header, 345, 155) + "/" + name;
            }
            if (type == 'S') {
                throw new IOException("a GNU sparse tar member: its bytes are not read as a file here; not inspected");
            }
            if (longName != null && paxPath != null && !longName.equals(paxPath)) {
                // tar readers disagree on which wins (Go's, behind docker and containerd, takes the long
                // name; GNU tar the pax path): one of them would see another file than the scan
                throw new IOException("a tar member with two different names (pax path '" + paxPath + "', GNU long name '"
                        + longName + "'); not inspected");
            }
            if (longName != null) {
                name = longName;
            }
            if (paxPath != null) {
                name = paxPath;
            }
            String link = paxLink != null ? paxLink : longLink != null ? longLink : cString(header, 157, 100);
            if (paxSize >= 0) {
                size = paxSize;
            }
            // Links, devices, FIFOs and directories have no data whatever their size field says.
            boolean data = !(type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6');
            remaining = data ? size : 0;
            padding = data ? pad(size) : 0;
            return new Entry(name, type, data ? size : 0, link);
        }
    }

    /** The current member's data, read at most once. */
    InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(buffer, offset, (int) Math.min(length, remaining));
                if (n < 0) {
                    throw new EOFException("truncated tar member");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private void skip(long bytes) throws IOException {
        while (bytes > 0) {
            long n = in.skip(bytes);
            if (n <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("truncated tar member");
                }
                n = 1;
            }
            bytes -= n;
        }
    }

    private static long pad(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean checksumHolds(byte[] block) {
        long stored = octal(block, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : block[i] & 0xff;
        }
        return stored == sum;
    }

    private static long size(byte[] block) {
        if ((block[124] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement in the remaining bits; a negative one is refused.
            if ((block[124] & 0x40) != 0) {
                return -1;
            }
            long value = block[124] & 0x3f;
            for (int i = 125; i < 136; i++) {
                if (value > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                value = value << 8 | (block[i] & 0xff);
            }
            return value;
        }
        return octal(block, 124, 12);
    }

    private static long octal(byte[] block, int offset, int length) {
        long value = 0;
        int i = offset;
        int end = offset + length;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        boolean any = false;
        for (; i < end && block[i] >= '0' && block[i] <= '7'; i++) {
            if (value > (Long.MAX_VALUE >> 3)) {
                return -1;
            }
            value = value * 8 + (block[i] - '0');
            any = true;
        }
        for (; i < end; i++) {
            if (block[i] != ' ' && block[i] != 0) {
                return -1;
            }
        }
        return any ? value : 0;
    }

    private static long parseDecimal(String text) throws IOException {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IOException("pax size '" + text + "' is not a size");
        }
        return Long.parseLong(text);
    }

    /** A NUL-terminated field, one char per byte (ISO-8859-1): distinct bytes stay distinct names. */
    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    /** pax records "LEN key=value\n"; values are UTF-8, turned into one char per byte like the rest. */
    private static java.util.List<String[]> pax(byte[] data) throws IOException {
        java.util.List<String[]> records = new java.util.ArrayList<>();
        int at = 0;
        while (at < data.length) {
            if (data[at] == 0) {
                break;
            }
            int space = at;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            long length = parseDecimal(new String(data, at, space - at, StandardCharsets.ISO_8859_1));
            if (length <= space - at + 1 || at + length > data.length || data[(int) (at + length - 1)] != '\n') {
                throw new IOException("malformed pax header record");
            }
            String record = new String(data, space + 1, (int) (at + length - 1 - space - 1), StandardCharsets.ISO_8859_1);
            int equals = record.indexOf('=');
            if (equals <= 0) {
                throw new IOException("malformed pax header record");
            }
            records.add(new String[]{record.substring(0, equals), record.substring(equals + 1)});
            at += (int) length;
        }
        return records;
    }
}
