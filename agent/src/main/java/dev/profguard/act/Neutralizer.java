package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.Finding;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Verdict;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;
import dev.profguard.util.Threads;

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
 * Switching a client off in place (action=neutralize at start-up, runtime.action=neutralize
 * after): calls its own shutdown function (MTuner: {@code rmemShutDown()}, which flushes, closes
 * its capture file and makes every later report a no-op), then disposes of what it wrote. That
 * flush is the exposure: the data is deleted unless {@code capture.files=keep}, and the line says
 * exactly what happened to each file. Every piece of strong evidence must be resolved; what cannot
 * be (a hidden shutdown function, none in the rule, a file still open) makes it a refusal.
 */
public final class Neutralizer {
    private Neutralizer() {
    }

    /** Whether the file under path still starts with the rule's capture header, read again right before it is disposed of. */
    private static boolean stillCapture(Evidence evidence, Rule rule, String path) {
        byte[] head = new byte[Evidence.HEAD];
        int length = evidence.headOf(Path.of(path), head);
        return length > 0 && rule.matchesCaptureHeader(head, length);
    }

    /**
     * @param probe        the loaded probe, or null
     * @param probeProblem why the probe is not loaded, when it is not
     * @param asked        the option that asked for it, e.g. "action=neutralize", for the reason
     * @return NEUTRALIZED, or REFUSE with the reason it could not be switched off
     */
    public static Verdict switchOff(Verdict verdict, Probe probe, String probeProblem, ProcessView view,
                                    Evidence evidence, Config config, String asked) {
        return switchOff(verdict, probe, probeProblem, view, evidence, config, asked, false);
    }

    /**
     * As above; {@code orphans}: capture data with no client left loaded may be disposed of, as a
     * client came and went in this process (the linker's list moved since start-up in a way no
     * judged load explains). Without that sign the data may be another process's in a shared
     * working directory, still being written: said, not deleted.
     */
    public static Verdict switchOff(Verdict verdict, Probe probe, String probeProblem, ProcessView view,
                                    Evidence evidence, Config config, String asked, boolean orphans) {
        if (probe == null) {
            return refuse(verdict, asked + ", but it cannot be switched off: switching off needs the native probe, which is not loaded ("
                    + (probeProblem == null ? "probe=off" : probeProblem) + ")");
        }
        Map<String, String> before = CaptureFiles.snapshot();
        Map<String, Path> openBefore = CaptureFiles.open(view, evidence);
        Map<String, byte[]> loaded = new LinkedHashMap<>();
        for (LoadedObject object : probe.loadedObjects()) {
            loaded.put(object.path(), object.name());
        }
        Set<String> switched = new LinkedHashSet<>();
        Set<String> tried = new java.util.HashSet<>();
        String called = null;
        List<String> unresolved = new ArrayList<>();
        List<Finding> deferred = new ArrayList<>();
        for (Finding finding : verdict.findings()) {
            if (finding.strength() != Strength.STRONG || !finding.refuses() || finding.source() == Source.OPEN_FILE
                    || finding.source() == Source.FILE) {
                continue; // capture data, not code: what the switch-off resolves, not what it switches off;
                          // a rule of strength warn is only warned about
            }
            if (finding.path() == null) { // switched on by a variable or a JVM argument, not a loaded object
                unresolved.add(finding.evidence() + ": switched on at launch, it cannot be switched off in place");
                continue;
            }
            Rule rule = evidence.rules().byId(finding.rule());
            if (rule == null || rule.shutdown() == null) {
                unresolved.add(finding.evidence() + ": its rule names no shutdown function");
                continue;
            }
            if (!tried.add(finding.path())) {
                continue; // the same object named again (LD_PRELOAD and the loaded object)
            }
            // Code the linker does not list is reached through its mapping, never by its name, which
            // can be a loaded library's (red team round 11: a client under a borrowed name).
            byte[] name = finding.source() == Source.MAPPED_OBJECT ? null : loaded.get(finding.path());
            Probe.SwitchOff result = name == null ? Probe.SwitchOff.NOT_LOADED : bounded(probe, name, 0, rule.shutdown());
            if (result == null) {
                unresolved.add(didNotReturn(finding.path(), rule));
                continue;
            }
            switch (result) {
                case CALLED:
                    switched.add(finding.path());
                    called = rule.shutdown();
                    PublishedState.switchedOff(rule.id(), finding.path());
                    break;
                case NO_SHUTDOWN:
                    unresolved.add(hidden(finding.path(), rule));
                    break;
                default:
                    deferred.add(finding); // named, not loaded under that name: resolved if its file was
            }
        }
        Map<String, List<Long>> mapped = deferred.isEmpty() ? Map.of() : firstMappings(view);
        for (Finding finding : deferred) {
            if (sameFileAsAny(finding.path(), switched)) {
                continue;
            }
            // Not known under that name to the linker's default namespace: an object opened with
            // dlmopen in a namespace of its own is reached through its mapping and its own
            // dynamic section in memory.
            Rule rule = evidence.rules().byId(finding.rule());
            // Every file mapped under that name, until one is the client: a name can be borrowed.
            Probe.SwitchOff result = Probe.SwitchOff.NOT_LOADED;
            for (Long base : mapped.getOrDefault(finding.path(), List.of())) {
                Probe.SwitchOff atBase = bounded(probe, null, base, rule.shutdown());
                if (atBase == null || atBase == Probe.SwitchOff.CALLED || result == Probe.SwitchOff.NOT_LOADED) {
                    result = atBase;
                }
                if (atBase == null || atBase == Probe.SwitchOff.CALLED) {
                    break;
                }
            }
            if (result == null) {
                unresolved.add(didNotReturn(finding.path(), rule));
            } else if (result == Probe.SwitchOff.CALLED) {
                switched.add(finding.path());
                called = rule.shutdown();
                PublishedState.switchedOff(rule.id(), finding.path());
            } else if (result == Probe.SwitchOff.NO_SHUTDOWN) {
                unresolved.add(hidden(finding.path(), rule));
            } else {
                unresolved.add(finding.evidence() + ": not loaded in this JVM, so it cannot be switched off here");
            }
        }
        Map<String, Path> openAfter = CaptureFiles.open(view, evidence);
        for (String file : openAfter.keySet()) {
            unresolved.add("capture file " + file + " is still open");
        }
        if (orphans && unresolved.isEmpty() && tried.isEmpty() && deferred.isEmpty()) {
            // Capture data alone, and no client left loaded or holding it open: one that recorded,
            // was shut down and unloaded in between two looks (red team rounds 19 and 20). Nothing
            // is left to switch off; what it left is disposed of: a file of the working directory
            // that its content says is capture data, under a name its rule gives capture files, by
            // the name it was read under. Not an open file's: its descriptor's name ("P (deleted)")
            // can be another file's (round 21). Not a file the header alone names: an upload or a
            // state file can start with those five bytes (round 22).
            StringBuilder done = new StringBuilder(asked).append(": no client is loaded any more");
            Set<String> disposed = new LinkedHashSet<>();
            for (Finding finding : verdict.findings()) {
                Rule rule = finding.rule() == null ? null : evidence.rules().byId(finding.rule());
                if (finding.strength() == Strength.STRONG && finding.path() != null && finding.source() == Source.FILE
                        && finding.detail().startsWith("a capture file by its content") && rule != null
                        && rule.matchesCaptureFile(Path.of(finding.path()).getFileName().toString())
                        && stillCapture(evidence, rule, finding.path()) && disposed.add(finding.path())) {
                    done.append("; the capture file it left, ").append(finding.path()).append(": ")
                            .append(CaptureFiles.dispose(finding.path(), Path.of(finding.path()), config.deleteCaptureFiles()));
                }
            }
            if (disposed.size() > 0) {
                return new Verdict(Outcome.NEUTRALIZED, verdict.findings(), done.toString());
            }
        }
        if (!unresolved.isEmpty() || switched.isEmpty()) {
            return refuse(verdict, asked + ", but it could not be switched off: "
                    + (unresolved.isEmpty() ? "no loaded client object to switch off" : String.join("; ", unresolved)));
        }
        StringBuilder done = new StringBuilder("switched off in place: called ").append(called).append("() in ")
                .append(String.join(", ", switched)).append("; it records nothing more");
        Map<String, Path> written = CaptureFiles.written(before, evidence);
        boolean delete = config.deleteCaptureFiles();
        for (String file : openBefore.keySet()) {
            done.append("; capture file ").append(file).append(" was open, closed, ")
                    .append(CaptureFiles.dispose(file, Path.of(file), delete));
        }
        for (Map.Entry<String, Path> file : written.entrySet()) {
            if (!openBefore.containsKey(file.getKey())) {
                done.append("; no file yet, the switch-off wrote capture file ").append(file.getKey()).append(": ")
                        .append(CaptureFiles.dispose(file.getKey(), file.getValue(), delete));
            }
        }
        if (openBefore.isEmpty() && written.isEmpty()) {
            done.append("; no capture file was written");
        }
        return new Verdict(Outcome.NEUTRALIZED, verdict.findings(), done.toString());
    }

    private static String hidden(String path, Rule rule) {
        return path + ": its " + rule.shutdown() + " is hidden (not exported), so it cannot be called";
    }

    private static String didNotReturn(String path, Rule rule) {
        return path + ": its " + rule.shutdown() + "() did not return within " + SHUTDOWN_WAIT_MILLIS + " ms";
    }

    /** How long the client's own shutdown function may take before the switch-off counts as failed. */
    static final long SHUTDOWN_WAIT_MILLIS = 2000;

    /**
     * Calls the client's shutdown (by its name, or at its mapping's base when {@code name} is null)
     * on a thread of its own: a function that never returns must not hang the guard, nor the JVM
     * before main. Null when it did not return in time (the thread, a daemon, is left to it).
     */
    private static Probe.SwitchOff bounded(Probe probe, byte[] name, long base, String symbol) {
        Probe.SwitchOff[] result = new Probe.SwitchOff[1];
        RuntimeException[] failure = new RuntimeException[1];
        boolean returned = Threads.runBounded(() -> { // this may run on the application's thread (the gate)
            try {
                result[0] = name != null ? probe.switchOff(name, symbol) : probe.switchOffAt(base, symbol);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "profguard-switch-off", SHUTDOWN_WAIT_MILLIS);
        if (!returned) {
            return null;
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /** Where each file mapped with an ELF header has it, by the path findings show: several files can share a name. */
    private static Map<String, List<Long>> firstMappings(ProcessView view) {
        Map<String, List<Long>> starts = new LinkedHashMap<>();
        List<MappedObject> objects = view.mappedObjects().value();
        for (MappedObject object : objects == null ? List.<MappedObject>of() : objects) {
            for (long header : object.headers()) { // where each ELF header of it is mapped, not its first mapping
                List<Long> bases = starts.get(object.path()); // no lambda: this may run before main
                if (bases == null) {
                    bases = new ArrayList<>();
                    starts.put(object.path(), bases);
                }
                bases.add(header);
            }
        }
        return starts;
    }

    private static Verdict refuse(Verdict verdict, String reason) {
        return new Verdict(Outcome.REFUSE, verdict.findings(), reason);
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
}
