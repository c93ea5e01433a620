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
                for (int i = 0; i < needles.length; i++) {
                    if (!found[i] && indexOf(window, available, needles[i]) >= 0) {
                        found[i] = true;
                    }
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

    static int indexOf(byte[] haystack, int length, byte[] needle) {
        if (needle.length == 0) {
            return 0;
        }
        byte first = needle[0];
        outer:
        for (int i = 0; i <= length - needle.length; i++) {
            if (haystack[i] != first) {
                continue;
            }
            for (int k = 1; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
