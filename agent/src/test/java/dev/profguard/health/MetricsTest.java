package dev.profguard.health;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    private static HealthState state(boolean active, List<Map<String, Object>> findings) {
        return new HealthState(active ? "DOWN" : "UP", active, "warn", "prod", true, "refuse", findings, "m", 0);
    }

    @Test
    void findingsAreCountedByRuleAndStrength() {
        String text = Metrics.render(state(true, List.of(Map.of("rule", "mtuner-client", "strength", "strong"),
                Map.of("rule", "mtuner-client", "strength", "strong"), Map.of("rule", "mtuner-client", "strength", "weak"))),
                true, 2, 1, 40, 1_765_000_123_045L);
        assertTrue(text.contains("profguard_findings{rule=\"mtuner-client\",strength=\"strong\"} 2\n"), text);
        assertTrue(text.contains("profguard_findings{rule=\"mtuner-client\",strength=\"weak\"} 1\n"), text);
        assertTrue(text.contains("profguard_client_active 1\n"), text);
        assertTrue(text.contains("# TYPE profguard_refused_loads_total counter\nprofguard_refused_loads_total 2\n"), text);
        assertTrue(text.contains("profguard_watcher_ticks_total 40\n"), text);
        assertTrue(text.contains("# TYPE profguard_watcher_last_tick_timestamp_seconds gauge\n"
                + "profguard_watcher_last_tick_timestamp_seconds 1765000123.045\n"), text);
        assertTrue(Metrics.render(state(false, List.of()), true, 0, 0, 0, 0).contains(
                "profguard_watcher_last_tick_timestamp_seconds 0.000\n"), "never ticked");
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.label("a\\b\"c\nd"));
    }

    @Test
    void readinessFollowsProductionAndStop() {
        assertTrue(state(false, List.of()).ready());
        assertEquals(false, state(true, List.of()).ready(), "a production JVM holding an active client");
        assertEquals(false, state(false, List.of()).stopped().ready(), "an ended JVM is never ready");
    }
}
