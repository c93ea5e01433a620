package dev.profguard.health;

import dev.profguard.ops.Cli;

import java.util.Map;
import java.util.TreeMap;

/**
 * The guard's state in Prometheus' text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), checked by
 * {@code promtool check metrics} in the tests.
 */
public final class Metrics {
    private Metrics() {
    }

    /** @param lastTickMillis when the watcher last ticked (milliseconds since the epoch), 0 for never */
    static String render(HealthState state, boolean enabled, long refusedLoads, long switchOffs, long watcherTicks,
                         long lastTickMillis) {
        StringBuilder out = new StringBuilder(1024);
        family(out, "profguard_build_info", "gauge", "profguard's version and the JVM's feature release; always 1.");
        out.append("profguard_build_info{version=\"").append(label(Cli.version())).append("\",java=\"")
                .append(Runtime.version().feature()).append("\"} 1\n");
        family(out, "profguard_enabled", "gauge", "1 while the guard runs in this JVM, 0 when enabled=false turned it off.");
        out.append("profguard_enabled ").append(enabled ? 1 : 0).append('\n');
        family(out, "profguard_production", "gauge", "1 when this JVM counts as production, by its environment tag.");
        out.append("profguard_production ").append(state.production() ? 1 : 0).append('\n');
        family(out, "profguard_client_active", "gauge",
                "1 while a profiler client is active in this JVM (found, and neither refused nor switched off).");
        out.append("profguard_client_active ").append(state.clientActive() ? 1 : 0).append('\n');
        Map<String, Integer> findings = new TreeMap<>();
        for (Map<String, Object> finding : state.findings()) {
            String key = "rule=\"" + label(String.valueOf(finding.get("rule"))) + "\",strength=\""
                    + label(String.valueOf(finding.get("strength"))) + "\"";
            findings.merge(key, 1, Integer::sum);
        }
        family(out, "profguard_findings", "gauge", "Findings about this JVM since it started, by rule and strength.");
        for (Map.Entry<String, Integer> entry : findings.entrySet()) {
            out.append("profguard_findings{").append(entry.getKey()).append("} ").append(entry.getValue()).append('\n');
        }
        counter(out, "profguard_refused_loads_total", "Native library loads the load gate refused.", refusedLoads);
        counter(out, "profguard_switch_offs_total", "Profiler clients switched off in place.", switchOffs);
        counter(out, "profguard_watcher_ticks_total", "Looks the runtime watcher took.", watcherTicks);
        // A watcher that stops ticking (its thread suspended, or blocked by native code holding the
        // dynamic linker's lock) is noticed by nothing inside the JVM: this is what an alert can watch.
        family(out, "profguard_watcher_last_tick_timestamp_seconds", "gauge",
                "When the runtime watcher last ticked, in seconds since the epoch; 0 before its first tick.");
        long millis = lastTickMillis % 1000;
        out.append("profguard_watcher_last_tick_timestamp_seconds ").append(lastTickMillis / 1000).append('.')
                .append(millis < 10 ? "00" : millis < 100 ? "0" : "").append(millis).append('\n');
        return out.toString();
    }

    /** The HELP and TYPE lines of a metric family. */
    public static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        family(out, name, "counter", help);
        out.append(name).append(' ').append(value).append('\n');
    }

    /** A label value: backslash, double quote and line feed escaped, as the format requires. */
    public static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
