package dev.profguard.health;

import dev.profguard.act.GuardState;
import dev.profguard.config.Config;
import dev.profguard.log.Json;
import dev.profguard.ops.Cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the guard says about this JVM, for the health endpoint, the status file, the MXBean and
 * the metrics. {@code status}: DOWN while a profiler client is active in it (found, and neither
 * refused nor switched off), UP otherwise (also after a client was switched off in place),
 * DISABLED with {@code enabled=false}, STOPPED once the JVM has ended (status file only).
 * {@code ready}: false while this production JVM holds an active client.
 *
 * @param updatedMillis when this state was reached, in milliseconds since the epoch
 */
public record HealthState(String status, boolean clientActive, String outcome, String env, boolean production,
                          String action, List<Map<String, Object>> findings, String message, long updatedMillis) {

    /** Before the first verdict: nothing found yet. */
    static HealthState starting(Config config) {
        return new HealthState("UP", false, "starting", config.envTag(), config.isProduction(), config.action().word(),
                List.of(), "profguard: starting", System.currentTimeMillis());
    }

    /** The guard is off in this JVM ({@code enabled=false}). */
    static HealthState disabled(Config config, String message) {
        return new HealthState("DISABLED", false, "disabled", config.envTag(), config.isProduction(),
                config.action().word(), List.of(), message, System.currentTimeMillis());
    }

    /** This state after {@code event}: its findings added, active once a client is active. */
    HealthState after(GuardState event) {
        List<Map<String, Object>> all = new ArrayList<>(findings);
        all.addAll(event.findings());
        boolean active = clientActive || event.clientActive();
        return new HealthState(active ? "DOWN" : "UP", active, event.outcome(), env, production, action, all,
                event.message(), event.updatedMillis());
    }

    /** The same state, marked as the last one of a JVM that has ended. */
    HealthState stopped() {
        return new HealthState("STOPPED", clientActive, outcome, env, production, action, findings,
                message, System.currentTimeMillis());
    }

    /** Not DOWN: what {@code /health} answers 200 to. */
    public boolean up() {
        return !clientActive;
    }

    /**
     * What {@code /health/readiness} answers 200 to: not a production JVM holding an active
     * client. False once STOPPED: a status file left by an ended JVM must not pass a probe.
     */
    public boolean ready() {
        return !status.equals("STOPPED") && !(production && clientActive);
    }

    /** The JSON document served at /health and written to the status file. */
    public String json() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("outcome", outcome);
        body.put("env", env);
        body.put("production", production);
        body.put("action", action);
        body.put("ready", ready());
        body.put("client_active", clientActive);
        body.put("version", Cli.version());
        body.put("pid", ProcessHandle.current().pid());
        // formatted here, off the path to main: java.time's formatter is ~50 classes to load
        body.put("updated", Instant.ofEpochMilli(updatedMillis).toString());
        body.put("message", message);
        body.put("findings", findings);
        return Json.write(body);
    }
}
