package dev.profguard.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code /proc/PID/maps} (format: proc(5)) into distinct file-backed objects: a file is what
 * its device and inode say it is, and the same file under another name is another object (each
 * name is judged), while two files under one name never merge (a client mapped under a name
 * borrowed from a loaded library, deleted or not, stays an object of its own: red team round 11).
 * Lines it cannot parse are skipped and counted; it never throws for what the text contains. The
 * text is the file's bytes one char each (ISO-8859-1), so names stay exactly the kernel's bytes.
 */
public final class MapsParser {
    private static final String DELETED = " (deleted)";
    /** The most headers and code ranges kept for one file (a JVM maps a library in four or five). */
    private static final int MAX_KEPT = 4096;

    private MapsParser() {
    }

    /** Distinct objects in first-seen order, plus the number of malformed lines. */
    public record Result(List<MappedObject> objects, int malformedLines) {
    }

    public static Result parse(String maps) {
        Map<String, Builder> byFile = new LinkedHashMap<>();
        int malformed = 0;
        int start = 0;
        int length = maps.length();
        while (start < length) {
            int end = maps.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            if (end > start && !parseLine(maps, start, end, byFile)) {
                malformed++;
            }
            start = end + 1;
        }
        List<MappedObject> objects = new ArrayList<>(byFile.size());
        for (Builder builder : byFile.values()) {
            objects.add(builder.build());
        }
        return new Result(objects, malformed);
    }

    /** One file's mappings as they are read. */
    private static final class Builder {
        private final String path;
        private final String device;
        private final long inode;
        private final String range;
        private boolean deleted;
        private boolean executable;
        private boolean escaped;
        private boolean overflow;
        private final List<Long> headers = new ArrayList<>(2);
        private final List<Long> code = new ArrayList<>(2);

        Builder(String path, String device, long inode, String range) {
            this.path = path;
            this.device = device;
            this.inode = inode;
            this.range = range;
        }

        MappedObject build() {
            long[] starts = new long[headers.size()];
            for (int i = 0; i < starts.length; i++) {
                starts[i] = headers.get(i);
            }
            long[] ranges = new long[code.size() + (overflow ? 2 : 0)]; // overflow: an empty range, never the linker's
            for (int i = 0; i < code.size(); i++) {
                ranges[i] = code.get(i);
            }
            return new MappedObject(path, device, inode, deleted, executable, range, escaped, starts, ranges);
        }
    }

    /** address perms offset dev inode [path]; the path may contain spaces. */
    private static boolean parseLine(String maps, int start, int end, Map<String, Builder> byFile) {
        int[] fieldEnd = new int[5];
        int at = start;
        for (int field = 0; field < 5; field++) {
            while (at < end && maps.charAt(at) == ' ') {
                at++;
            }
            int fieldStart = at;
            while (at < end && maps.charAt(at) != ' ') {
                at++;
            }
            if (at == fieldStart) {
                return false;
            }
            fieldEnd[field] = at;
        }
        String range = maps.substring(start, fieldEnd[0]).strip();
        int permsStart = fieldEnd[0] + 1;
        if (range.indexOf('-') < 0 || fieldEnd[1] - permsStart != 4) {
            return false;
        }
        boolean executable = maps.charAt(permsStart + 2) == 'x';
        while (at < end && maps.charAt(at) == ' ') {
            at++;
        }
        if (at >= end || maps.charAt(at) != '/') {
            return true; // anonymous, [heap], [stack], [vdso], memfd-less specials: not files
        }
        String path = maps.substring(at, end);
        boolean deleted = path.endsWith(DELETED);
        if (deleted) {
            path = path.substring(0, path.length() - DELETED.length());
        }
        boolean escaped = path.indexOf('\\') >= 0;
        path = path.replace("\\012", "\n"); // the kernel escapes newlines in names (seq_path), not backslashes
        String device = maps.substring(fieldEnd[2] + 1, fieldEnd[3]).strip();
        long inode;
        long from;
        long to;
        long offset;
        try {
            inode = Long.parseLong(maps.substring(fieldEnd[3] + 1, fieldEnd[4]).strip());
            int dash = range.indexOf('-');
            from = Long.parseUnsignedLong(range.substring(0, dash), 16);
            to = Long.parseUnsignedLong(range.substring(dash + 1), 16);
            offset = Long.parseUnsignedLong(maps.substring(fieldEnd[1] + 1, fieldEnd[2]).strip(), 16);
        } catch (RuntimeException e) { // NumberFormatException, or a range without its two ends
            return false;
        }
        String file = device + " " + inode + " " + path;
        Builder seen = byFile.get(file);
        if (seen == null) {
            seen = new Builder(path, device, inode, range);
            byFile.put(file, seen);
        }
        seen.deleted |= deleted;
        seen.executable |= executable;
        seen.escaped |= escaped;
        if (offset == 0 && seen.headers.size() < MAX_KEPT) {
            seen.headers.add(from);
        }
        if (executable && seen.code.size() < 2 * MAX_KEPT) {
            seen.code.add(from);
            seen.code.add(to);
        } else if (executable) {
            seen.overflow = true;
        }
        return true;
    }
}
