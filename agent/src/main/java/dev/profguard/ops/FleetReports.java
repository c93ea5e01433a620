package dev.profguard.ops;

import dev.profguard.log.Json;
import dev.profguard.scan.ScanReports;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A round of {@code check --all} as a table for people and as one JSON object for tools. */
final class FleetReports {
    private FleetReports() {
    }

    /**
     * One row per JVM and per process not inspected, then the summary. The message column is the
     * judgement's own line; nothing of a process's command line or environment is shown beyond what
     * a finding names.
     */
    static void table(FleetResult result, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "UID", "NAME", "STATUS", "VERDICT", "GUARDED", "ENV", "MESSAGE"});
        for (FleetEntry entry : result.entries()) {
            ProcessCheck check = entry.check();
            rows.add(new String[] {
                    Long.toString(entry.process().pid()),
                    entry.uid() < 0 ? "?" : Integer.toString(entry.uid()),
                    entry.process().name(),
                    entry.statusWord(),
                    check == null || check.verdict() == null ? "-" : check.verdict().outcome().word(),
                    check == null ? "-" : check.guarded() ? "yes" : "no",
                    check == null || check.config() == null || check.config().envTag() == null ? "-"
                            : HostProcess.printable(check.config().envTag()),
                    HostProcess.printable(entry.line())});
        }
        int[] widths = new int[rows.get(0).length - 1];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.println(line.append(row[widths.length]));
        }
        for (String note : result.notes()) {
            out.println("profguard: " + note);
        }
        out.println("profguard: " + result.summary());
    }

    static String json(FleetResult result, String version) {
        Map<String, Object> out = ScanReports.head(version, result.status(), result.summary());
        out.put("processes_seen", result.seen());
        out.put("jvms", result.count(FleetEntry.Kind.JVM));
        out.put("not_inspected", result.count(FleetEntry.Kind.NOT_INSPECTED));
        out.put("notes", result.notes());
        List<Map<String, Object>> processes = new ArrayList<>();
        for (FleetEntry entry : result.entries()) {
            processes.add(entry.json());
        }
        out.put("processes", processes);
        return Json.write(out);
    }
}
