package dev.profguard.ops;

import dev.profguard.act.Report;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Verdict;
import dev.profguard.rules.RuleSet;
import dev.profguard.scan.SarifLog;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code check --format sarif} ({@code --all} or one process): one SARIF 2.1.0 log, one run, a
 * result per finding per JVM. Each result is placed in its process (a logical location "pid 1234
 * (started ..., cmd java)") and in the file it names, when there is one; its level is the JVM's
 * verdict, as the table shows it. Processes not inspected, JVMs not judged and JVMs that exited
 * while judged are tool execution notifications: they are no rule's finding, and a code-scanning
 * service would otherwise open an alert for each, closed again at the next round that reads them.
 * Nothing of a process is shown beyond what the table shows (no environment value, no command line).
 */
final class FleetSarif {
    private FleetSarif() {
    }

    /** The log of {@code entries}; {@code notes} (what the caller could not see, e.g. hidepid) as warnings. */
    static String write(List<FleetEntry> entries, List<String> notes, int status, RuleSet rules, String version) {
        SarifLog log = new SarifLog(rules, RUNNING);
        for (String note : notes) {
            log.notification("warning", "profguard: " + note, List.of());
        }
        long boot = HostProcess.bootTime();
        boolean complete = true;
        for (FleetEntry entry : entries) {
            complete &= entry.status() != 2;
            String process = named(entry.process(), boot);
            ProcessCheck check = entry.check();
            if (check == null || check.verdict() == null) {
                log.notification(entry.kind() == FleetEntry.Kind.EXITED ? "note" : "error", "profguard: " + entry.line(),
                        List.of(location(entry.process(), process, null)));
                continue;
            }
            Verdict verdict = check.verdict();
            for (Finding finding : verdict.findings()) {
                String strength = finding.strength().name().toLowerCase(Locale.ROOT);
                String evidence = Report.evidence(List.of(finding));
                String message = (finding.strength() == Strength.UNKNOWN ? "could not complete a check of " + process
                        : "found " + finding.profiler() + " (" + strength + ") in " + process) + ": " + evidence
                        + "; verdict " + verdict.outcome().word() + " (" + verdict.reason() + ")";
                Map<String, Object> properties = new LinkedHashMap<>();
                properties.put("pid", entry.process().pid());
                properties.put("start_time", entry.process().startTime());
                properties.put("uid", entry.uid());
                properties.put("name", entry.process().name());
                properties.put("status", check.statusWord());
                properties.put("verdict", verdict.outcome().word());
                properties.put("env", check.config() == null ? null : check.config().envTag());
                properties.put("guarded", check.guarded());
                properties.put("strength", strength);
                properties.put("source", finding.source().label());
                properties.put("symbols", finding.symbols());
                log.result(finding, level(verdict.outcome()), message,
                        List.of(location(entry.process(), process, finding.path())), properties);
            }
        }
        return log.write(version, status, complete, null);
    }

    /**
     * The SARIF level of every finding of a JVM, read off its verdict (the table's VERDICT column),
     * never decided again: error where its guard would act (refuse, switch off, end it), warning where
     * it would only warn (outside production, weak evidence, a check that could not run, action=warn),
     * note once its own guard switched the client off (exit status 0).
     */
    static String level(Outcome outcome) {
        return switch (outcome) {
            case REFUSE, NEUTRALIZE, HALT -> "error";
            case WARN -> "warning";
            case NEUTRALIZED -> "note";
            case ALLOW -> "none";
        };
    }

    /** "pid 1234 (started 2026-12-07T03:37:38Z, cmd java)"; "pid 1234" when its stat could not be read. */
    static String named(HostProcess process, long bootTime) {
        if (process.startTime() < 0) {
            return "pid " + process.pid();
        }
        String started = bootTime < 0 ? process.startTime() + " clock ticks after boot"
                : Instant.ofEpochSecond(bootTime + process.startTime() / HostProcess.TICKS_PER_SECOND).toString();
        return "pid " + process.pid() + " (started " + started + ", cmd " + process.name() + ")";
    }

    /** The process as a logical location, and the file a finding names, when it names an absolute one. */
    private static Map<String, Object> location(HostProcess process, String named, String path) {
        Map<String, Object> location = new LinkedHashMap<>();
        if (path != null && path.startsWith("/")) {
            location.put("physicalLocation", SarifLog.physical(path));
        }
        Map<String, Object> logical = new LinkedHashMap<>();
        logical.put("name", "pid " + process.pid());
        logical.put("fullyQualifiedName", named);
        logical.put("kind", "process");
        location.put("logicalLocations", List.of(logical));
        return location;
    }

    /** What a rule says of a running JVM; rule {@code profguard} is a check that could not run. */
    private static final SarifLog.Wording RUNNING = who -> who.equals(Finding.SELF)
            ? new SarifLog.RuleText("profguard could not complete a check of a running JVM",
                    "A part of the check of a running JVM could not run (a file it maps or holds open could not be "
                            + "read, a bound was reached): what was not read may hide a client.",
                    "Run `java -jar profguard-agent.jar check --pid PID` with the permissions the JVM's files need "
                            + "(the same user, or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).")
            : new SarifLog.RuleText(who + " in a running JVM",
                    "A native memory profiler client (" + who + ") is mapped into a running JVM, preloaded or named "
                            + "by its environment or agent options, or writing its capture data. In production it "
                            + "records every allocation with its stack and sends it away, at a large cost in memory "
                            + "and time.",
                    "Remove " + who + " from the JVM's launch (LD_PRELOAD, its JNI libraries, -agentpath and agent "
                            + "options, the image it runs from) and restart it; `java -jar profguard-agent.jar check "
                            + "--pid PID` shows the evidence. Strong findings are the client's code or its capture "
                            + "data; weak ones are names or variables that look like it and deserve a look.");
}
