package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Verdict;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * action=neutralize: switches the client off in place by calling its own shutdown function
 * (MTuner: {@code rmemShutDown()}, which flushes, closes the capture file and makes every later
 * report a no-op), then checks that no capture file is still open. Every piece of strong evidence
 * must be resolved that way; what cannot be (hidden symbols, no shutdown function, a file still
 * open) turns the verdict into a refusal.
 */
public final class Neutralizer {
    private static final int MAX_LISTED = 10_000;

    private Neutralizer() {
    }

    /**
     * @param probe        the loaded probe, or null
     * @param probeProblem why the probe is not loaded, when it is not
     */
    public static Verdict switchOff(Verdict verdict, Probe probe, String probeProblem, ProcessView view,
                                    RuleSet rules, Config config) {
        if (probe == null) {
            return refuse(verdict, "action=neutralize needs the native probe, which is not loaded ("
                    + (probeProblem == null ? "probe=off" : probeProblem) + ")");
        }
        Map<Path, String> before = workDirCaptures(rules);
        Set<String> switched = new LinkedHashSet<>();
        List<String> unresolved = new ArrayList<>();
        List<Finding> deferred = new ArrayList<>();
        for (Finding finding : verdict.findings()) {
            if (finding.strength() != Strength.STRONG || finding.source() == Source.OPEN_FILE) {
                continue;
            }
            Rule rule = rules.byId(finding.rule());
            if (rule == null || rule.shutdown() == null || finding.path() == null) {
                unresolved.add(finding.evidence() + ": the rule names no shutdown function");
                continue;
            }
            if (switched.contains(finding.path())) {
                continue;
            }
            switch (probe.switchOff(finding.path(), rule.shutdown())) {
                case CALLED:
                    switched.add(finding.path());
                    break;
                case NO_SHUTDOWN:
                    unresolved.add(finding.path() + " does not define " + rule.shutdown() + " itself (hidden or stripped)");
                    break;
                default:
                    deferred.add(finding); // named, not loaded under that name: resolved if its file was
            }
        }
        for (Finding finding : deferred) {
            if (!sameFileAsAny(finding.path(), switched)) {
                unresolved.add(finding.evidence() + ": not loaded in this JVM, so it cannot be switched off here");
            }
        }
        Set<Path> captures = captureFiles(verdict, before, workDirCaptures(rules));
        List<String> open = view.openFiles().value();
        for (Path capture : captures) {
            if (open != null && open.contains(capture.toString())) {
                unresolved.add("capture file " + capture + " is still open");
            }
        }
        if (!unresolved.isEmpty() || switched.isEmpty()) {
            return refuse(verdict, "action=neutralize could not switch the client off: "
                    + (unresolved.isEmpty() ? "no loaded client object to switch off" : String.join("; ", unresolved)));
        }
        StringBuilder done = new StringBuilder("switched off in place: called ");
        Rule first = rules.byId(verdict.findings().get(0).rule());
        done.append(first == null || first.shutdown() == null ? "its shutdown function" : first.shutdown() + "()")
                .append(" in ").append(String.join(", ", switched));
        if (captures.isEmpty()) {
            done.append("; no capture file was written yet");
        }
        for (Path capture : captures) {
            done.append("; capture file ").append(capture).append(" closed (").append(size(capture)).append(" bytes, ");
            done.append(config.deleteCaptureFiles() ? delete(capture) : "kept: capture.files=keep").append(')');
        }
        return new Verdict(Outcome.NEUTRALIZED, verdict.findings(), done.toString());
    }

    private static Verdict refuse(Verdict verdict, String reason) {
        return new Verdict(Outcome.REFUSE, verdict.findings(), reason);
    }

    /**
     * The client's capture files: those open before the switch-off, and those in the working
     * directory (where it writes them, lazily, at its first buffer flush, which may come with the
     * shutdown) that are new or changed since just before it. Older captures there are not its.
     */
    private static Set<Path> captureFiles(Verdict verdict, Map<Path, String> before, Map<Path, String> after) {
        Set<Path> files = new LinkedHashSet<>();
        for (Finding finding : verdict.findings()) {
            if (finding.source() == Source.OPEN_FILE && finding.path() != null) {
                files.add(Path.of(finding.path()));
            }
        }
        for (Map.Entry<Path, String> file : after.entrySet()) {
            if (!file.getValue().equals(before.get(file.getKey()))) {
                files.add(file.getKey());
            }
        }
        return files;
    }

    /** Capture files in the working directory, each with its size and modification time. */
    private static Map<Path, String> workDirCaptures(RuleSet rules) {
        Map<Path, String> files = new LinkedHashMap<>();
        File workDir = new File(System.getProperty("user.dir", "."));
        String[] names = workDir.list();
        if (names == null) {
            return files;
        }
        for (int i = 0; i < names.length && i < MAX_LISTED; i++) {
            for (Rule rule : rules.rules()) {
                if (rule.matchesCaptureFile(names[i])) {
                    File file = new File(workDir, names[i]);
                    files.put(file.toPath().toAbsolutePath(), file.length() + "@" + file.lastModified());
                    break;
                }
            }
        }
        return files;
    }

    private static boolean sameFileAsAny(String path, Set<String> switched) {
        for (String other : switched) {
            try {
                if (path.equals(other) || Files.isSameFile(Path.of(path), Path.of(other))) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // not comparable: not the same
            }
        }
        return false;
    }

    private static String size(Path file) {
        try {
            return Long.toString(Files.size(file));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String delete(Path file) {
        try {
            Files.deleteIfExists(file);
            return "deleted: capture.files=delete";
        } catch (IOException | RuntimeException e) {
            return "could not delete it: " + e.getMessage();
        }
    }
}
