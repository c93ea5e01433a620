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

    private MapsParser() {
    }

    /** Distinct objects in first-seen order, plus the number of malformed lines. */
    public record Result(List<MappedObject> objects, int malformedLines) {
    }

    public static Result parse(String maps) {
        Map<String, MappedObject> byFile = new LinkedHashMap<>();
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
        return new Result(new ArrayList<>(byFile.values()), malformed);
    }

    /** address perms offset dev inode [path]; the path may contain spaces. */
    private static boolean parseLine(String maps, int start, int end, Map<String, MappedObject> byFile) {
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
        path = path.replace("\\012", "\n"); // the kernel escapes newlines in names (seq_path)
        String device = maps.substring(fieldEnd[2] + 1, fieldEnd[3]).strip();
        long inode;
        try {
            inode = Long.parseLong(maps.substring(fieldEnd[3] + 1, fieldEnd[4]).strip());
        } catch (NumberFormatException e) {
            return false;
        }
        String file = device + " " + inode + " " + path;
        MappedObject seen = byFile.get(file);
        if (seen == null) {
            byFile.put(file, new MappedObject(path, device, inode, deleted, executable, range));
        } else if ((executable && !seen.executable()) || (deleted && !seen.deleted())) {
            byFile.put(file, new MappedObject(path, device, inode, seen.deleted() || deleted, seen.executable() || executable,
                    seen.range()));
        }
        return true;
    }
}
