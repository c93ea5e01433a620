package dev.profguard.detect;

import dev.profguard.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/** Runs every detector over one process view. */
public final class Scanner {
    private final List<Detector> detectors = List.of(new EnvironmentDetector(), new MappedObjectDetector(),
            new OpenFileDetector(), new JvmArgumentDetector());
    private final RuleSet rules;

    public Scanner(RuleSet rules) {
        this.rules = rules;
    }

    /** All findings; a detector that fails is a finding of its own, never an exception. */
    public List<Finding> scan(ProcessView view) {
        LibraryInspector inspector = new LibraryInspector(rules);
        List<Finding> findings = new ArrayList<>();
        for (Detector detector : detectors) {
            try {
                findings.addAll(detector.scan(view, inspector));
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                findings.add(Finding.unknown(Source.INSPECTION, detector.getClass().getSimpleName()
                        + " failed: " + e));
            }
        }
        return findings;
    }
}
