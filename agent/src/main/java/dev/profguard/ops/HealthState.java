package dev.profguard.ops;

import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.log.Json;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Verdict;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the guard says about this JVM, for the health endpoint, the status file and the MXBean.
 * DOWN while a profiler client is active in it (found, and neither refused nor switched off);
 * UP otherwise, including after a client was switched off in place.
 *
 * @param updatedMillis when this state was reached, in milliseconds since the epoch
 */
public record HealthState(boolean up, String outcome, String env, boolean production, String action,
                          List<Map<String, Object>> findings, String message, long updatedMillis) {

    public static HealthState of(Verdict verdict, Config config, String message) {
        boolean active = false;
        for (Finding finding : verdict.findings()) {
            active |= finding.strength() == Strength.STRONG;
        }
        boolean up = !active || verdict.outcome() == Outcome.NEUTRALIZED;
        return new HealthState(up, verdict.outcome().name().toLowerCase(Locale.ROOT), config.envTag(),
                config.isProduction(), config.action().word(), Report.findings(verdict), message,
                System.currentTimeMillis());
    }

    /** The JSON document served at /health and written to the status file. */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("outcome", outcome);
        body.put("env", env);
        body.put("production", production);
        body.put("action", action);
        body.put("version", Cli.version());
        // formatted here, off the path to main: java.time's formatter is ~50 classes to load
        body.put("updated", Instant.ofEpochMilli(updatedMillis).toString());
        body.put("message", message);
        body.put("findings", findings);
        return Json.write(body);
    }
}
