package dev.profguard.detect;

import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.List;

/**
 * Open file descriptors whose target is a capture file of a profiler (MTuner's
 * {@code mtuner_capture_*.MTuner}). The client opens its file lazily, at its first buffer flush, so
 * an early look may not see it; loaded code is caught by the mapped-object detector meanwhile.
 */
public final class OpenFileDetector implements Detector {
    private static final String DELETED = " (deleted)";

    @Override
    public List<Finding> scan(ProcessView view, LibraryInspector inspector) {
        List<Finding> findings = new ArrayList<>();
        List<String> targets = view.openFiles().take(Source.OPEN_FILE, findings);
        if (targets == null) {
            return findings;
        }
        for (String target : targets) {
            if (!target.startsWith("/")) {
                continue; // pipe:[..], socket:[..], anon_inode:..
            }
            String path = target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) : target;
            String name = LibraryInspector.fileName(path);
            for (Rule rule : inspector.rules().rules()) {
                if (rule.matchesCaptureFile(name)) {
                    findings.add(new Finding(rule.id(), rule.profiler(), Strength.STRONG, Source.OPEN_FILE, path,
                            List.of(), null, "capture file open in " + view.name()));
                }
            }
        }
        return findings;
    }
}
