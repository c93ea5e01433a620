package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Verdict;

import java.util.List;
import java.util.Map;

/**
 * One verdict or event, as the guard tells its {@link StateListener}.
 *
 * @param clientActive  a profiler client is active in this JVM (found, and neither refused nor switched off)
 * @param outcome       allow, warn, neutralized, refuse, active_late, neutralized_late, halt
 * @param findings      the findings of this verdict or event, structured as in the log lines
 * @param message       the line that was logged about it
 * @param updatedMillis when, in milliseconds since the epoch
 */
public record GuardState(boolean clientActive, String outcome, List<Map<String, Object>> findings, String message,
                         long updatedMillis) {

    /** The start-up verdict; the client counts as active as the one policy says ({@link Policy#clientActive}). */
    public static GuardState of(Verdict verdict, Config config, String message) {
        return new GuardState(Policy.clientActive(verdict, config), verdict.outcome().word(), Report.findings(verdict),
                message, System.currentTimeMillis());
    }

    /** What the watcher found after start-up and what was done ({@code active}: as the policy says). */
    public static GuardState late(Verdict verdict, String outcome, boolean active, String message) {
        return new GuardState(active, outcome, Report.findings(verdict), message, System.currentTimeMillis());
    }
}
