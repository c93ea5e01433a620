package dev.profguard.detect;

import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dynamic linker itself says about this JVM, through the native probe: which loaded
 * object defines the client's symbols (also when its file was renamed or deleted), which carries
 * its marks in loaded code though its symbols are hidden, which has a zero-filled segment as
 * large as the client's, and which object provides {@code malloc}/{@code free} (interposition:
 * supporting detail only, since jemalloc and tcmalloc interpose too, and a client linked into a
 * JNI library with {@code --wrap=malloc} interposes nothing).
 */
public final class ProbeDetector implements Detector {
    private static final List<String> HEAP = List.of("malloc", "free", "calloc", "realloc");

    private final Probe probe;
    private final List<LoadedObject> objects;

    /** @param objects the probe's list of loaded objects, taken once for the whole scan */
    public ProbeDetector(Probe probe, List<LoadedObject> objects) {
        this.probe = probe;
        this.objects = objects;
    }

    @Override
    public List<Finding> scan(ProcessView view, LibraryInspector inspector) {
        Map<String, List<String>> interposers = interposers();
        List<Finding> findings = new ArrayList<>();
        for (LoadedObject object : objects) {
            String path = object.path();
            if (path.indexOf('/') < 0) {
                continue; // the main program (""), the vDSO: not files a client comes in
            }
            List<String> heap = interposers.get(path);
            String interposes = heap == null ? "" : "; it provides " + String.join(", ", heap) + " for the whole JVM";
            for (Rule rule : inspector.rules().rules()) {
                List<String> defined = rule.symbols().isEmpty() ? null : probe.definedSymbols(path, rule.symbols());
                if (defined != null && defined.size() >= rule.symbolsMin()) {
                    add(findings, inspector, new Finding(rule.id(), rule.profiler(), Strength.STRONG, Source.LOADED_OBJECT,
                            path, defined, null, "loaded in " + view.name() + ", per the dynamic linker" + interposes));
                    continue;
                }
                List<String> marks = rule.marks().isEmpty() || Locations.isSystem(path) ? null
                        : probe.marks(path, rule.marks());
                if (marks != null && marks.size() == rule.marks().size()) {
                    add(findings, inspector, new Finding(rule.id(), rule.profiler(), Strength.STRONG, Source.LOADED_OBJECT,
                            path, List.of(), null, "loaded in " + view.name() + "; its code carries "
                            + String.join(", ", marks) + " though it exports none of the client's symbols (hidden or stripped)"
                            + interposes));
                    continue;
                }
                if (rule.matchesName(LibraryInspector.fileName(path))) {
                    findings.add(new Finding(rule.id(), rule.profiler(), Strength.WEAK, Source.LOADED_OBJECT, path,
                            List.of(), null, "name matches, no client symbols or marks; loaded in " + view.name()));
                } else if (rule.zeroFill() > 0 && object.zeroFill() >= rule.zeroFill()) {
                    findings.add(new Finding(rule.id(), rule.profiler(), Strength.WEAK, Source.LOADED_OBJECT, path,
                            List.of(), null, LibraryInspector.zeroFillDetail(object.zeroFill()) + interposes));
                }
            }
        }
        return findings;
    }

    private static void add(List<Finding> findings, LibraryInspector inspector, Finding finding) {
        findings.add(finding);
        inspector.linkerFound(finding.path(), finding);
    }

    /** Path of each object that provides heap functions in place of the C library, with which. */
    private Map<String, List<String>> interposers() {
        Map<String, List<String>> byPath = new LinkedHashMap<>();
        for (String function : HEAP) {
            String provider = probe.provider(function);
            if (provider != null && !provider.contains("/libc.so")) {
                List<String> functions = byPath.get(provider);
                if (functions == null) {
                    functions = new ArrayList<>();
                    byPath.put(provider, functions);
                }
                functions.add(function);
            }
        }
        return byPath;
    }
}
