package dev.profguard.detect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every distinct file mapped into the process that the dynamic linker did not already answer for
 * (everything without the probe; with it, what {@code dl_iterate_phdr} does not list, such as an
 * object in another link-map namespace): checked by its name and, when its code is mapped, by its
 * file. A deleted file, or one whose name is not text, is read through {@code map_files} where the
 * kernel allows it.
 */
public final class MappedObjectDetector implements Detector {
    private final List<MappedObject> seen;

    public MappedObjectDetector() {
        this(null);
    }

    /** @param seen receives every mapping read, or null */
    public MappedObjectDetector(List<MappedObject> seen) {
        this.seen = seen;
    }

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        List<MappedObject> objects = view.mappedObjects().take(Source.MAPPED_OBJECT, findings);
        if (objects == null) {
            return findings;
        }
        if (seen != null) {
            seen.addAll(objects);
        }
        List<Evidence.LinkerSpan> linker = evidence.linkerSpans(objects);
        for (MappedObject object : objects) {
            if (Evidence.answeredByLinker(object, linker)) {
                continue; // what the dynamic linker loaded, where it loaded it: judged from both sources already
            }
            findings.addAll(judge(view, evidence, object, "mapped in " + view.name()));
        }
        return findings;
    }

    private static boolean anyStrong(List<Finding> findings) {
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG) {
                return true;
            }
        }
        return false;
    }

    /**
     * The file under the mapping's name when it is still the mapped file (device and inode), else
     * the mapping itself through map_files. Between the maps' read and this, a name can come to
     * stand for another file or for none: a library deleted after its load (conscrypt, netty) was
     * "code mapped from a file that could not be read", a WARN in production; one replaced on disk
     * was judged as its replacement.
     */
    private static Path named(ProcessView view, Evidence evidence, MappedObject object) {
        Path file = view.file(object.path());
        String named = Evidence.fileOf(file);
        if (named != null && evidence.sameFileByItsName(named, Evidence.sameForm(Evidence.fileOf(object)), file)) {
            return file;
        }
        return view.contentOf(object);
    }

    /** One mapping: only code can be the client, so data mappings are checked by name, unopened. */
    public static List<Finding> judge(ProcessView view, Evidence evidence, MappedObject object, String where) {
        Path content = null;
        if (object.executable()) {
            boolean text = dev.profguard.probe.Names.strictUtf8(object.name()) != null;
            // a name that cannot be told back (not text, or escaped) is never read by that name
            content = object.deleted() || !text || object.escaped() ? view.contentOf(object) : named(view, evidence, object);
        }
        String detail = (object.executable() ? "code " : "") + where + (object.deleted() ? ", file deleted" : "");
        List<Finding> found = evidence.library(Source.MAPPED_OBJECT, object.path(), null, content, 0, detail,
                object.executable());
        if (object.executable() && !anyStrong(found)) {
            // In this JVM, what is mapped there, read in memory: the file under its name may be another
            for (long header : object.headers()) { // each ELF header mapped from it, not only its first mapping
                List<Finding> mapped = evidence.mappedImage(Source.MAPPED_OBJECT, object.path(), header, detail);
                if (!mapped.isEmpty()) {
                    return mapped;
                }
            }
        }
        if (found.isEmpty() && object.executable() && (content == null || BoundedFiles.notRegular(content) != null)
                && !Evidence.wasJudgedAtLoad(object)) { // read whole by the gate before its load, gone since
            found = List.of(Finding.unknown(Source.MAPPED_OBJECT, object.path(),
                    "code mapped from a file that could not be read (" + detail + ")"));
        }
        return found;
    }
}
