package dev.profguard.ops;

import dev.profguard.detect.Finding;
import dev.profguard.health.Metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * A round of {@code check --all} for node_exporter's textfile collector (Prometheus text format
 * 0.0.4, label values escaped as the health endpoint's /metrics escapes them), written to a
 * temporary file in the same directory and renamed over the target, so that the collector reads
 * one whole round or the one before, never a part.
 */
final class FleetMetrics {
    private FleetMetrics() {
    }

    static String render(FleetResult result, long timestampMillis) {
        StringBuilder out = new StringBuilder(4096);
        Metrics.family(out, "profguard_fleet_jvm_info", "gauge",
                "A JVM of this host and its verdict (status: clean, found, switched_off, error); always 1.");
        for (FleetEntry entry : result.entries()) {
            if (entry.kind() == FleetEntry.Kind.JVM) {
                ProcessCheck check = entry.check();
                out.append("profguard_fleet_jvm_info{").append(labels(entry))
                        .append(",status=\"").append(check.statusWord())
                        .append("\",verdict=\"").append(check.verdict() == null ? "" : check.verdict().outcome().word())
                        .append("\",env=\"").append(Metrics.label(check.config() == null || check.config().envTag() == null
                                ? "" : check.config().envTag()))
                        .append("\",production=\"").append(check.config() != null && check.config().isProduction())
                        .append("\",guarded=\"").append(check.guarded()).append("\"} 1\n");
            }
        }
        gaugePerJvm(out, result, "profguard_fleet_jvm_exit_status",
                "What check --pid exits with for this JVM: 0 clean or switched off by its guard, 1 profiler client found, 2 could not judge.",
                "exit");
        gaugePerJvm(out, result, "profguard_fleet_jvm_guarded", "1 when the JVM runs profguard's agent.", "guarded");
        Metrics.family(out, "profguard_fleet_jvm_findings", "gauge", "Findings about the JVM, by rule and strength.");
        for (FleetEntry entry : result.entries()) {
            if (entry.kind() != FleetEntry.Kind.JVM || entry.check().verdict() == null) {
                continue;
            }
            Map<String, Integer> counts = new TreeMap<>();
            for (Finding finding : entry.check().verdict().findings()) {
                counts.merge("rule=\"" + Metrics.label(finding.rule()) + "\",strength=\""
                        + finding.strength().name().toLowerCase(java.util.Locale.ROOT) + "\"", 1, Integer::sum);
            }
            for (Map.Entry<String, Integer> count : counts.entrySet()) {
                out.append("profguard_fleet_jvm_findings{").append(labels(entry)).append(',').append(count.getKey())
                        .append("} ").append(count.getValue()).append('\n');
            }
        }
        Metrics.family(out, "profguard_fleet_process_not_inspected", "gauge",
                "A process this round could not inspect (or a JVM that exited while judged), with the reason; always 1.");
        for (FleetEntry entry : result.entries()) {
            if (entry.kind() != FleetEntry.Kind.JVM) {
                out.append("profguard_fleet_process_not_inspected{").append(labels(entry)).append(",reason=\"")
                        .append(entry.kind().word).append("\"} 1\n");
            }
        }
        single(out, "profguard_fleet_processes_seen", "Processes with a user space the last round looked at.", result.seen());
        single(out, "profguard_fleet_jvms", "JVMs the last round judged.", result.count(FleetEntry.Kind.JVM));
        single(out, "profguard_fleet_processes_not_inspected", "Processes the last round could not inspect.",
                result.count(FleetEntry.Kind.NOT_INSPECTED));
        single(out, "profguard_fleet_jvms_reused", "JVMs whose judgement the last round kept: nothing it reads had changed.",
                result.reused());
        single(out, "profguard_fleet_exit_status", "What check --all exits with after the last round (0, 1, 2).", result.status());
        Metrics.family(out, "profguard_fleet_round_duration_seconds", "gauge", "Wall time of the last round.");
        out.append("profguard_fleet_round_duration_seconds ").append(String.format(java.util.Locale.ROOT, "%.6f", result.nanos() / 1e9)).append('\n');
        if (result.cpuTicks() >= 0) {
            Metrics.family(out, "profguard_fleet_round_cpu_seconds", "gauge", "CPU time (user + system) of the last round.");
            out.append("profguard_fleet_round_cpu_seconds ").append(result.cpuTicks() / 100.0).append('\n');
        }
        Metrics.family(out, "profguard_fleet_round_timestamp_seconds", "gauge", "When the last round ended (Unix time).");
        out.append("profguard_fleet_round_timestamp_seconds ").append(String.format(java.util.Locale.ROOT, "%.3f", timestampMillis / 1000.0)).append('\n');
        return out.toString();
    }

    /** Writes {@code text} to {@code file} atomically: a temporary file beside it, then a rename. */
    static void write(Path file, String text) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            // node_exporter usually runs as another user; createTempFile made it 0600
            Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename within " + absolute.getParent() + " atomically", e);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static String labels(FleetEntry entry) {
        return "pid=\"" + entry.process().pid() + "\",name=\"" + Metrics.label(entry.process().name()) + "\",uid=\""
                + entry.uid() + "\"";
    }

    private static void gaugePerJvm(StringBuilder out, FleetResult result, String name, String help, String what) {
        Metrics.family(out, name, "gauge", help);
        for (FleetEntry entry : result.entries()) {
            if (entry.kind() == FleetEntry.Kind.JVM) {
                int value = what.equals("exit") ? entry.check().status() : entry.check().guarded() ? 1 : 0;
                out.append(name).append('{').append(labels(entry)).append("} ").append(value).append('\n');
            }
        }
    }

    private static void single(StringBuilder out, String name, String help, long value) {
        Metrics.family(out, name, "gauge", help);
        out.append(name).append(' ').append(value).append('\n');
    }
}
