package dev.profguard.detect;

import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Names;
import dev.profguard.probe.Probe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every object the dynamic linker has loaded into this JVM, through the native probe, judged by
 * {@link Evidence} from what the linker holds under its name (also when its file was renamed or
 * deleted) and from its file. Which object provides {@code malloc}/{@code free} is added as
 * detail: interposition alone is no evidence, since jemalloc and tcmalloc interpose too, and a
 * client linked into a JNI library with {@code --wrap=malloc} interposes nothing.
 */
public final class ProbeDetector implements Detector {
    private static final List<String> HEAP = List.of("malloc", "free", "calloc", "realloc");

    private final List<LoadedObject> objects;

    /** @param objects the probe's list of loaded objects, taken once for the whole scan */
    public ProbeDetector(List<LoadedObject> objects) {
        this.objects = objects;
    }

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        Probe probe = evidence.probe();
        Map<String, List<String>> interposers = interposers(probe);
        LoadedObject self = probe.self();
        List<Finding> findings = new ArrayList<>();
        Map<Long, MappedObject> byHeader = byHeader(view.mappedObjects().value());
        for (LoadedObject object : objects) {
            if (!evidence.isJudgeable(object, self)) {
                if (object.isFile()) {
                    evidence.judgedAsLoaded(object); // the probe itself: its file is not code to judge
                } // the main program and the vDSO are not: the maps judge the program's file
                continue;
            }
            List<String> heap = interposers.get(object.key());
            String detail = "loaded in " + view.name()
                    + (heap == null ? "" : "; it provides " + String.join(", ", heap) + " for the whole JVM");
            findings.addAll(judge(evidence, object, detail, byHeader));
        }
        return findings;
    }

    /**
     * The mapped files by where each maps an ELF header (file offset 0): where a loaded object's
     * load address finds the file mapped there, as {@link Evidence#linkerSpans} finds it; empty
     * when the maps could not be read.
     */
    public static Map<Long, MappedObject> byHeader(List<MappedObject> mapped) {
        Map<Long, MappedObject> byHeader = new java.util.HashMap<>();
        for (MappedObject object : mapped == null ? List.<MappedObject>of() : mapped) {
            for (long header : object.headers()) {
                byHeader.put(header, object);
            }
        }
        return byHeader;
    }

    /**
     * One loaded object, from the linker and from its file; marked judged for the maps. Its name's
     * file is read as the object's only when it is the file mapped at the object's load address
     * ({@code byHeader}, from {@link #byHeader}): a file put under that name since the load (a library replaced on disk
     * after the JVM loaded it) is another file, and judging it as the object was a false alarm in
     * production (or, the other way round, a benign file standing for a client). The object is then
     * judged in memory, and its mappings by the maps, through map_files.
     */
    public static List<Finding> judge(Evidence evidence, LoadedObject object, String detail, Map<Long, MappedObject> byHeader) {
        int[] fd = {-1};
        try {
            Path content = evidence.contentOf(object.name(), fd);
            // Its file read here is not read again as a mapping of the maps. One that is gone (deleted
            // after loading) or not readable by its name is left to the maps, which read its bytes
            // through /proc/PID/map_files (red team: a hidden client that wiped its marks in memory
            // and deleted its file).
            if (content != null && java.nio.file.Files.isRegularFile(content)) {
                MappedObject mapped = byHeader.get(object.base());
                String named = mapped == null ? null : Evidence.fileOf(content);
                String file = mapped == null ? null : Evidence.sameForm(Evidence.fileOf(mapped));
                // the same inode is enough only under the mapping's own name (an overlay of two
                // file systems shows stat another device); a name the linker's record gives otherwise
                // (which code in the process can rewrite) must match the device too
                boolean same = named == null || (mapped.path().equals(object.path())
                        ? evidence.sameFileByItsName(named, file, content) : Evidence.sameFile(named, file));
                if (!same) {
                    content = null; // not the object: left to its memory and to the maps
                } else {
                    evidence.judgedAsLoaded(object, content);
                }
            }
            return evidence.library(Source.LOADED_OBJECT, object.path(), object.name(), content, object.zeroFill(),
                    detail, false);
        } finally {
            if (fd[0] >= 0) {
                evidence.probe().close(fd[0]);
            }
        }
    }

    /** Name key of each object that provides heap functions in place of the C library, with which. */
    private static Map<String, List<String>> interposers(Probe probe) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (String function : HEAP) {
            byte[] provider = probe.provider(function);
            if (provider != null && !Names.key(provider).contains("/libc.so")) {
                List<String> functions = byKey.get(Names.key(provider)); // no lambda: this runs before main
                if (functions == null) {
                    functions = new ArrayList<>();
                    byKey.put(Names.key(provider), functions);
                }
                functions.add(function);
            }
        }
        return byKey;
    }
}
