package dev.profguard.ops;

import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.log.Json;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Verdict;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the guard says about this JVM, for the health endpoint, the status file and the MXBean.
 * DOWN while this production JVM holds an active profiler client (found, and neither refused nor
 * switched off: {@link Policy#clientActive}); UP otherwise, including after a client was switched
 * off in place and outside production, where the finding is listed.
 *
 * @param updatedMillis when this state was reached, in milliseconds since the epoch
 */
public record HealthState(boolean up, String outcome, String env, boolean production, String action,
                          List<Map<String, Object>> findings, String message, long updatedMillis) {

    public static HealthState of(Verdict verdict, Config config, String message) {
        boolean up = !Policy.clientActive(verdict, config); // DOWN: this production JVM holds an active client
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
