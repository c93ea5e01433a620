package dev.profguard.detect;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Which byte strings (a rule's marks) a file contains, reading at most {@link #LIMIT} bytes. */
public final class FileMarks {
    static final long LIMIT = 64L << 20;
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_MARK = 256;

    private FileMarks() {
    }

    /**
     * The marks found, in the order given; a file cut at the limit is searched up to it. Only a
     * regular file is opened (see {@link BoundedFiles#notRegular}).
     */
    public static List<String> find(Path file, List<String> marks) throws IOException {
        String problem = BoundedFiles.notRegular(file);
        if (problem != null) {
            throw new IOException(file + " is " + problem);
        }
        byte[][] needles = new byte[marks.size()][];
        for (int i = 0; i < needles.length; i++) {
            needles[i] = marks.get(i).getBytes(StandardCharsets.UTF_8);
        }
        boolean[] found = new boolean[needles.length];
        int[] shift = shifts(needles);
        byte[] window = new byte[CHUNK + MAX_MARK];
        int carried = 0;
        long total = 0;
        try (InputStream in = new FileInputStream(file.toFile())) {
            while (total < LIMIT) {
                int n = in.readNBytes(window, carried, CHUNK);
                if (n <= 0) {
                    break;
                }
                total += n;
                int available = carried + n;
                if (search(window, available, needles, shift, found)) {
                    break; // every mark seen: the rest of the file cannot change the answer
                }
                carried = Math.min(available, MAX_MARK);
                System.arraycopy(window, available - carried, window, 0, carried);
            }
        }
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < found.length; i++) {
            if (found[i]) {
                seen.add(marks.get(i));
            }
        }
        return seen;
    }

    /** Up to {@code into.length} first bytes of a regular file; the count read. */
    public static int head(Path file, byte[] into) throws IOException {
        String problem = BoundedFiles.notRegular(file);
        if (problem != null) {
            throw new IOException(file + " is " + problem);
        }
        try (InputStream in = new FileInputStream(file.toFile())) {
            return in.readNBytes(into, 0, into.length);
        }
    }

    /**
     * The skip table of a set Horspool search over the needles' first {@code m} bytes, where
     * {@code m} is the shortest needle: how far the window may move given its last byte.
     */
    static int[] shifts(byte[][] needles) {
        int m = Integer.MAX_VALUE;
        for (byte[] needle : needles) {
            m = Math.min(m, needle.length);
        }
        int[] shift = new int[257];
        shift[256] = needles.length == 0 || m == 0 ? 1 : m; // m itself, kept with the table
        java.util.Arrays.fill(shift, 0, 256, shift[256]);
        for (byte[] needle : needles) {
            for (int k = 0; k < m - 1; k++) {
                shift[needle[k] & 0xff] = Math.min(shift[needle[k] & 0xff], m - 1 - k);
            }
        }
        return shift;
    }

    /**
     * Marks {@code found[i]} for each needle that occurs in the first {@code length} bytes of
     * {@code haystack}, in one pass that skips ahead by the table from {@link #shifts} (a mark is
     * 7 to 15 bytes: most positions are never looked at). True when every needle was found.
     */
    static boolean search(byte[] haystack, int length, byte[][] needles, int[] shift, boolean[] found) {
        int m = shift[256];
        int left = 0;
        for (boolean f : found) {
            left += f ? 0 : 1;
        }
        if (needles.length == 0 || m == 0) {
            return left == 0;
        }
        for (int i = 0; i <= length - m && left > 0; i += shift[haystack[i + m - 1] & 0xff]) {
            for (int n = 0; n < needles.length; n++) {
                if (!found[n] && matchesAt(haystack, length, i, needles[n])) {
                    found[n] = true;
                    left--;
                }
            }
        }
        return left == 0;
    }

    private static boolean matchesAt(byte[] haystack, int length, int at, byte[] needle) {
        if (at + needle.length > length) {
            return false;
        }
        for (int k = 0; k < needle.length; k++) {
            if (haystack[at + k] != needle[k]) {
                return false;
            }
        }
        return true;
    }
}
