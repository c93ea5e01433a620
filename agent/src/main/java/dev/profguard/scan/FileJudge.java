package dev.profguard.scan;

import dev.profguard.detect.Evidence;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Source;
import dev.profguard.rules.RuleSet;

import java.nio.file.Path;
import java.util.List;

/**
 * The one place where {@code scan} (the command and the Maven plugin) asks the evidence engine
 * about one file, whether it lies on disk or was taken out of an archive. Everything else in this
 * package only finds files and names them; what a file is, is decided here.
 *
 * <p>Each call judges the bytes it is given and nothing else: no result is remembered between
 * calls (archive entries are extracted to fresh private files, and a path-keyed cache would judge
 * a later entry with an earlier one's result).
 */
public final class FileJudge {
    /** How many leading bytes the walker reads and hands to {@link #judge}. */
    public static final int HEAD = 4096;

    private final RuleSet rules;

    public FileJudge(RuleSet rules) {
        this.rules = rules;
    }

    public RuleSet rules() {
        return rules;
    }

    /**
     * Whether {@link #judge} needs the whole file on disk, given its first bytes. The walker
     * extracts an archive entry to a private file only when this says so (every other entry is
     * judged from its head in memory), which is what keeps a scan of a jar of classes fast.
     */
    public static boolean needsFile(byte[] head, int length) {
        return isElf(head, length);
    }

    /**
     * Findings about one file.
     *
     * @param shown   how findings name it (an archive entry as {@code outer.jar!/inner/name})
     * @param head    its first bytes
     * @param length  how many of {@code head} are valid (the whole file when shorter than HEAD)
     * @param content a regular file holding exactly the file's bytes, never shared with another
     *                entry; null when {@link #needsFile} said the head is enough
     */
    public List<Finding> judge(String shown, byte[] head, int length, Path content) {
        // A fresh Evidence per file: whatever it remembers is for this file alone. It never asks
        // the dynamic linker (no probe): a file is judged by what it holds.
        Evidence evidence = new Evidence(rules, null);
        if (content != null && isElf(head, length)) {
            return evidence.library(Source.FILE, shown, null, content, 0, "file", true);
        }
        return evidence.dataFile(Source.FILE, shown, head, length, false, "not a native library");
    }

    static boolean isElf(byte[] head, int length) {
        return length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }
}
