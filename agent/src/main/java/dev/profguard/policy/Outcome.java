package dev.profguard.policy;

/** What happens to the JVM. */
public enum Outcome {
    /** Nothing found: {@code main} runs, nothing is logged. */
    ALLOW,
    /** Something found or a check could not run: one WARN line, {@code main} runs. */
    WARN,
    /** Client found in production with action=neutralize: to be switched off in place (act decides). */
    NEUTRALIZE,
    /** The client was switched off in place: one WARN line, {@code main} runs. */
    NEUTRALIZED,
    /** Client found in production: one ERROR line, {@code main} never runs, exit with {@code exit.code}. */
    REFUSE
}
