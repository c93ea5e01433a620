package dev.profguard.act;

import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Verdict;

import java.util.List;
import java.util.Locale;
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

    /** The start-up verdict. */
    public static GuardState of(Verdict verdict, String message) {
        boolean strong = false;
        for (Finding finding : verdict.findings()) {
            strong |= finding.strength() == Strength.STRONG;
        }
        return new GuardState(strong && verdict.outcome() != Outcome.NEUTRALIZED,
                verdict.outcome().name().toLowerCase(Locale.ROOT), Report.findings(verdict), message,
                System.currentTimeMillis());
    }

    /** A client found after start-up. */
    public static GuardState late(Finding finding, String outcome, boolean active, String message) {
        return new GuardState(active, outcome, List.of(Report.findingMap(finding)), message, System.currentTimeMillis());
    }
}
