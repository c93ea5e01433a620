package dev.profguard.ops;

import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.config.ConfigException;
import dev.profguard.detect.Finding;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProcFs;
import dev.profguard.detect.Readout;
import dev.profguard.detect.Scanner;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.rules.RuleSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one judgement of a running process from outside: its findings (the agent's detectors and
 * rules), its own options, whether its guard switched a client off, and the verdict. {@code check
 * --pid} prints one; {@code check --all} judges every JVM of the host with exactly this.
 *
 * @param target  how the process is named, e.g. "process 4242"
 * @param pid     its process id
 * @param status  0 clean (or switched off by its own guard), 1 found, 2 could not inspect or judge
 * @param line    the one-line message, without "profguard: "
 * @param verdict what its guard decides (null when it could not be judged)
 * @param config  its resolved options (null when they could not be resolved)
 * @param options where its options came from and whether it is guarded (null when not read)
 */
record ProcessCheck(String target, long pid, int status, String line, Verdict verdict, Config config,
                    TargetOptions options) {

    /** Judges the process read through {@code view} ({@code /proc/PID}); {@code env}, when given, replaces its tag. */
    static ProcessCheck judge(ProcFs view, long pid, String target, RuleSet rules, String env) {
        Readout<List<MappedObject>> maps = view.mappedObjects(); // read once here; the scan reads it again
        if (maps.value() == null) {
            return failed(target, pid, "could not inspect " + target + ": " + maps.failure());
        }
        List<Finding> findings = new Scanner(rules, null).scan(view);
        TargetOptions options = TargetOptions.of(view);
        Config config;
        try {
            config = options.resolve(env);
        } catch (ConfigException e) {
            return new ProcessCheck(target, pid, 2, "could not judge " + target + ": its profguard options are malformed ("
                    + e.getMessage() + ")", null, null, options);
        }
        Verdict verdict = Policy.decide(findings, Surface.CHECK, config);
        Set<String> switchedOff = TargetOptions.switchedOff(view, pid, options.guarded());
        boolean found = false;
        boolean unknown = false;
        boolean allSwitchedOff = false;
        for (Finding finding : findings) {
            found |= finding.strength() != Strength.UNKNOWN;
            unknown |= finding.strength() == Strength.UNKNOWN;
        }
        if (found && !switchedOff.isEmpty()) {
            allSwitchedOff = true;
            for (Finding finding : findings) {
                if (finding.strength() == Strength.STRONG && !switchedOff.contains(finding.rule() + " " + finding.path())) {
                    allSwitchedOff = false;
                }
            }
        }
        int status = allSwitchedOff ? 0 : found ? 1 : unknown ? 2 : 0;
        String line;
        if (allSwitchedOff) {
            verdict = new Verdict(Outcome.NEUTRALIZED, verdict.findings(), "switched off in place by the guard inside it");
            line = "profiler client in " + target + " was switched off in place by the guard inside it (as it published "
                    + "from inside the process): " + Report.evidence(verdict.findings());
        } else if (found) {
            line = "profiler client found in " + target + ": " + Report.evidence(verdict.findings());
        } else if (unknown) {
            line = "could not fully inspect " + target + ": " + Report.evidence(verdict.findings());
        } else {
            line = target + " is clean";
        }
        return new ProcessCheck(target, pid, status, line, verdict, config, options);
    }

    /** A process that could not be inspected at all, e.g. "could not inspect process 7: no such process". */
    static ProcessCheck failed(String target, long pid, String line) {
        return new ProcessCheck(target, pid, 2, line, null, null, null);
    }

    /** No /proc directory for it: "no such process", or no /proc at all. */
    static String missing() {
        return Files.isDirectory(Path.of("/proc")) ? "no such process" : "no /proc (not Linux?)";
    }

    /** clean, found, switched_off or error: the JSON status word. */
    String statusWord() {
        boolean switchedOff = verdict != null && verdict.outcome() == Outcome.NEUTRALIZED;
        return switchedOff ? "switched_off" : status == 0 ? "clean" : status == 1 ? "found" : "error";
    }

    boolean guarded() {
        return options != null && options.guarded();
    }

    /** The fields of {@code check --format json}, after {@code version}. */
    Map<String, Object> json() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("target", target);
        result.put("pid", pid);
        result.put("status", statusWord());
        result.put("exit_status", status);
        result.put("message", "profguard: " + line);
        result.put("env", config == null ? null : config.envTag());
        result.put("production", config != null && config.isProduction());
        result.put("guarded", guarded());
        result.put("options", options == null ? null : options.sources());
        result.put("verdict", verdict == null ? null : verdict.outcome().word());
        result.put("findings", verdict == null ? List.of() : Report.findings(verdict));
        return result;
    }
}
