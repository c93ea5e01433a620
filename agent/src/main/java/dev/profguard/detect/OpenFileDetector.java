package dev.profguard.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Open file descriptors that are a profiler's capture file: by their first bytes, read through
 * the descriptor itself (so a renamed or deleted file is still its content), or by their name.
 * The client opens its file lazily, at its first buffer flush, so an early look may not see it;
 * loaded code is caught by the other detectors meanwhile.
 */
public final class OpenFileDetector implements Detector {
    private static final String DELETED = " (deleted)";

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        List<OpenFile> files = view.openFiles().take(Source.OPEN_FILE, findings);
        if (files == null) {
            return findings;
        }
        for (OpenFile file : files) {
            String target = file.target();
            if (!target.startsWith("/")) {
                continue; // pipe:[..], socket:[..], anon_inode:..; the JDK's own files are read too: a
                          // place is no proof that a file under it is not capture data (red team)
            }
            String path = target.endsWith(DELETED) ? target.substring(0, target.length() - DELETED.length()) : target;
            findings.addAll(evidence.dataFile(Source.OPEN_FILE, path, file.link(), true, "open in " + view.name()
                    + (target.endsWith(DELETED) ? ", file deleted" : "")));
        }
        return findings;
    }
}
