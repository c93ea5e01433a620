package dev.profguard.rules;

import java.util.List;

/**
 * One profiler client's signature.
 *
 * @param id          short stable identifier, e.g. {@code mtuner-client}
 * @param profiler    what users call it, e.g. "MTuner's client (rmem)"
 * @param symbols     exported C symbols of the client's API
 * @param symbolsMin  how many of {@link #symbols} an object must define to be the client
 * @param names       file-name globs of its libraries (weak evidence alone)
 * @param variables   environment variables it reads
 * @param captureFiles file-name globs of the files it writes
 * @param shutdown    its own void(void) function that switches it off in place, or null
 * @param marks       byte strings its code carries even when its symbols are hidden or stripped;
 *                    all of them in one loaded object is the client
 * @param zeroFill    a zero-filled segment at least this large is a sign of it (0: not used)
 * @param captureHeaders the first bytes of its capture files, in lower-case hex: a file that
 *                    starts with one of them is its capture data whatever its name
 */
public record Rule(String id, String profiler, List<String> symbols, int symbolsMin,
                   List<String> names, List<String> variables, List<String> captureFiles,
                   String shutdown, List<String> marks, long zeroFill, List<String> captureHeaders) {
    public Rule {
        captureHeaders = List.copyOf(captureHeaders);
        symbols = List.copyOf(symbols);
        names = List.copyOf(names);
        variables = List.copyOf(variables);
        captureFiles = List.copyOf(captureFiles);
        marks = List.copyOf(marks);
    }

    /** Whether a file name (not a path) matches one of this rule's library name globs. */
    public boolean matchesName(String fileName) {
        return Glob.anyMatch(names, fileName);
    }

    /** Whether the first bytes of a file ({@code length} of them in {@code head}) are one of its capture headers. */
    public boolean matchesCaptureHeader(byte[] head, int length) {
        for (String header : captureHeaders) {
            int bytes = header.length() / 2;
            if (length < bytes) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < bytes && same; i++) {
                same = (head[i] & 0xff) == Integer.parseInt(header.substring(2 * i, 2 * i + 2), 16);
            }
            if (same) {
                return true;
            }
        }
        return false;
    }

    /** Whether a file name (not a path) matches one of this rule's capture file globs. */
    public boolean matchesCaptureFile(String fileName) {
        return Glob.anyMatch(captureFiles, fileName);
    }
}
