package dev.profguard.ops;

import dev.profguard.detect.ProcFs;
import dev.profguard.log.Json;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code check [--pid PID] [--env TAG] [--rules FILE] [--format text|json|sarif]}: inspects a running
 * process from outside through /proc/PID with the agent's own detectors and rules. Exit status 0
 * clean, 1 a profiler client found, 2 could not inspect. For ops health probes and entrypoints.
 * Its SARIF is {@code check --all}'s ({@link FleetSarif}) for the one process.
 */
final class CheckCommand {
    static final String USAGE = "java -jar profguard-agent.jar check [--pid PID] [--env TAG] [--rules FILE] [--format text|json|sarif]";

    private CheckCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--all")) {
            return FleetCommand.run(args, out, err);
        }
        Long pid = null;
        String env = null;
        String rulesFile = null;
        String format = "text";
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
                    if (!List.of("text", "json", "sarif").contains(value)) {
                        return usage(err, "--format is text, json or sarif, not '" + value + "'");
                    }
                    format = value;
                    break;
                default:
                    throw new AssertionError(arg);
            }
            i++;
        }
        String target = pid == null ? "this environment (process " + ProcessHandle.current().pid() + ")" : "process " + pid;
        long targetPid = pid == null ? ProcessHandle.current().pid() : pid;
        Path dir = Path.of("/proc", pid == null ? "self" : Long.toString(pid));
        RuleSet rules;
        try {
            rules = RuleSet.load(rulesFile == null ? null : Path.of(rulesFile));
        } catch (RulesException e) {
            return usage(err, "--rules: " + e.getMessage());
        }
        if (!Files.isDirectory(dir)) {
            return report(out, format, dir, rules, ProcessCheck.failed(target, targetPid, "could not inspect " + target
                    + ": " + ProcessCheck.missing()));
        }
        ProcFs view = pid == null ? ProcFs.self() : ProcFs.of(pid, target);
        return report(out, format, dir, rules, ProcessCheck.judge(view, targetPid, target, rules, env));
    }

    private static int report(PrintStream out, String format, Path dir, RuleSet rules, ProcessCheck check) {
        switch (format) {
            case "json" -> {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("version", Cli.version());
                result.putAll(check.json());
                out.println(Json.write(result));
            }
            case "sarif" -> {
                HostProcess process = HostProcess.read(dir, check.pid());
                if (process == null) { // gone, or never there: named by its pid alone
                    process = new HostProcess(check.pid(), -1, "?", false, -1);
                }
                FleetEntry entry = FleetEntry.judged(process, HostProcess.owner(dir), null, check);
                out.println(FleetSarif.write(List.of(entry), List.of(), check.status(), rules, Cli.version()));
            }
            default -> out.println("profguard: " + check.line());
        }
        return check.status();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("profguard: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }
}
