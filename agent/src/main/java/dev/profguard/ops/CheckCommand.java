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
import dev.profguard.log.Json;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code check [--pid PID] [--env TAG] [--rules FILE] [--format text|json]}: inspects a running
 * process from outside through /proc/PID with the agent's own detectors and rules. Exit status 0
 * clean, 1 a profiler client found, 2 could not inspect. For ops health probes and entrypoints.
 */
final class CheckCommand {
    static final String USAGE = "java -jar profguard-agent.jar check [--pid PID] [--env TAG] [--rules FILE] [--format text|json]";

    private CheckCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Long pid = null;
        String env = null;
        String rulesFile = null;
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!List.of("--pid", "--env", "--rules", "--format").contains(arg)) {
                return usage(err, "unknown argument '" + arg + "'");
            }
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            if (value == null) {
                return usage(err, arg + " needs a value");
            }
            switch (arg) {
                case "--pid":
                    try {
                        pid = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        pid = -1L;
                    }
                    if (pid <= 0) {
                        return usage(err, "--pid takes a process id, not '" + value + "'");
                    }
                    break;
                case "--env":
                    env = value;
                    break;
                case "--rules":
                    rulesFile = value;
                    break;
                case "--format":
                    if (!value.equals("text") && !value.equals("json")) {
                        return usage(err, "--format is text or json, not '" + value + "'");
                    }
                    json = value.equals("json");
                    break;
                default:
                    throw new AssertionError(arg);
            }
            i++;
        }
        String target = pid == null ? "this environment (process " + ProcessHandle.current().pid() + ")" : "process " + pid;
        Path dir = Path.of("/proc", pid == null ? "self" : Long.toString(pid));
        if (!Files.isDirectory(dir)) {
            return report(out, json, target, pid, 2, "could not inspect " + target + ": "
                    + (Files.isDirectory(Path.of("/proc")) ? "no such process" : "no /proc (not Linux?)"), null, null, null);
        }
        RuleSet rules;
        try {
            rules = RuleSet.load(rulesFile == null ? null : Path.of(rulesFile));
        } catch (RulesException e) {
            return usage(err, "--rules: " + e.getMessage());
        }
        ProcFs view = pid == null ? ProcFs.self() : new ProcFs(dir, target, null);
        Readout<List<MappedObject>> maps = view.mappedObjects(); // read once here; the scan reads it again
        if (maps.value() == null) {
            return report(out, json, target, pid, 2, "could not inspect " + target + ": " + maps.failure(), null, null, null);
        }
        List<Finding> findings = new Scanner(rules, null).scan(view);
        TargetOptions options = TargetOptions.of(view);
        Config config;
        try {
            config = options.resolve(env);
        } catch (ConfigException e) {
            return report(out, json, target, pid, 2, "could not judge " + target + ": its profguard options are malformed ("
                    + e.getMessage() + ")", null, null, options);
        }
        Verdict verdict = Policy.decide(findings, Surface.CHECK, config);
        Set<String> switchedOff = TargetOptions.switchedOff(view, pid == null ? ProcessHandle.current().pid() : pid,
                options.guarded());
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
        return report(out, json, target, pid, status, line, verdict, config, options);
    }

    private static int report(PrintStream out, boolean json, String target, Long pid, int status, String line,
                              Verdict verdict, Config config, TargetOptions options) {
        if (!json) {
            out.println("profguard: " + line);
            return status;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("version", Cli.version());
        result.put("target", target);
        result.put("pid", pid == null ? ProcessHandle.current().pid() : pid);
        boolean switchedOff = verdict != null && verdict.outcome() == Outcome.NEUTRALIZED;
        result.put("status", switchedOff ? "switched_off" : status == 0 ? "clean" : status == 1 ? "found" : "error");
        result.put("exit_status", status);
        result.put("message", "profguard: " + line);
        result.put("env", config == null ? null : config.envTag());
        result.put("production", config != null && config.isProduction());
        result.put("guarded", options != null && options.guarded());
        result.put("options", options == null ? null : options.sources());
        result.put("verdict", verdict == null ? null : verdict.outcome().word());
        result.put("findings", verdict == null ? List.of() : Report.findings(verdict));
        out.println(Json.write(result));
        return status;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("profguard: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }
}
