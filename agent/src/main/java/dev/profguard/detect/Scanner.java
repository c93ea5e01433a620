package dev.profguard.detect;

import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/** Runs every detector over one process view, all judging through one {@link Evidence}. */
public final class Scanner {
    private final RuleSet rules;
    private final Probe probe;

    /** @param probe the native probe when loaded (this JVM only), else null */
    public Scanner(RuleSet rules, Probe probe) {
        this.rules = rules;
        this.probe = probe;
    }

    /** All findings; a detector that fails is a finding of its own, never an exception. */
    public List<Finding> scan(ProcessView view) {
        return scan(view, null, null);
    }

    /**
     * @param inspected receives the loaded objects the scan judged, and {@code mapped} the
     *                  mappings it read (the watcher's baseline: anything not in them is new); or null
     */
    public List<Finding> scan(ProcessView view, List<LoadedObject> inspected, List<MappedObject> mapped) {
        Evidence evidence = new Evidence(rules, probe);
        List<Finding> findings = new ArrayList<>();
        List<Detector> detectors = new ArrayList<>();
        if (probe != null) { // first: the maps then skip what the linker answered for
            try {
                List<LoadedObject> loaded = probe.loadedObjects();
                if (inspected != null) {
                    inspected.addAll(loaded);
                }
                detectors.add(new ProbeDetector(loaded));
                detectors.add(new AllocatorControlDetector(probe));
            } catch (RuntimeException e) {
                findings.add(Finding.unknown(Source.LOADED_OBJECT, "the native probe could not list loaded objects: " + e));
            }
        }
        detectors.add(new EnvironmentDetector());
        detectors.add(new MappedObjectDetector(mapped));
        detectors.add(new OpenFileDetector());
        detectors.add(new JvmArgumentDetector());
        detectors.add(new TracerDetector(probe == null)); // this JVM: its main thread; from outside: every thread
        for (Detector detector : detectors) {
            try {
                findings.addAll(detector.scan(view, evidence));
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                findings.add(Finding.unknown(Source.INSPECTION, detector.getClass().getSimpleName()
                        + " failed: " + e));
            }
        }
        return findings;
    }
}
