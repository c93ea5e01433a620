package dev.profguard.detect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every distinct file mapped into the process, checked by its name and, when its code is mapped,
 * by its defined symbols. A
 * renamed library is still caught by its symbols; a deleted one is read through
 * {@code map_files} where the kernel allows it.
 */
public final class MappedObjectDetector implements Detector {
    @Override
    public List<Finding> scan(ProcessView view, LibraryInspector inspector) {
        List<Finding> findings = new ArrayList<>();
        List<MappedObject> objects = view.mappedObjects().take(Source.MAPPED_OBJECT, findings);
        if (objects == null) {
            return findings;
        }
        for (MappedObject object : objects) {
            if (inspector.isVetted(object.path())) {
                continue; // loaded through the dynamic linker: the probe detector answered for it
            }
            // Only code can be the client: data mappings (locale files, the CDS archive, the
            // jimage, perf data) are checked by name, without opening them.
            Path content = object.executable() ? Path.of(object.path()) : null;
            if (object.executable() && object.deleted()) {
                Path mapped = view.contentOf(object);
                content = mapped != null && Files.isReadable(mapped) ? mapped : null;
            }
            String detail = object.executable() ? "code mapped in " + view.name() : "mapped in " + view.name();
            if (object.deleted()) {
                detail += ", file deleted";
            }
            List<Finding> found = inspector.inspect(Source.MAPPED_OBJECT, object.path(), content, null,
                    detail, object.executable());
            if (found.isEmpty() && content == null && object.executable()) {
                found = List.of(new Finding(Finding.SELF, null, Strength.UNKNOWN, Source.MAPPED_OBJECT,
                        object.path(), List.of(), null, "code mapped from a deleted file that could not be read"));
            }
            findings.addAll(found);
        }
        return findings;
    }
}
