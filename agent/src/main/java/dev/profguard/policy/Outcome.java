package dev.profguard.policy;

/** What happens, on whichever surface asked. */
public enum Outcome {
    /** Nothing found: nothing is logged. */
    ALLOW,
    /** Something found or a check could not run: one WARN line, the JVM (or the load) goes on. */
    WARN,
    /** Switch the client off in place (act decides whether it can; where not, a refusal). */
    NEUTRALIZE,
    /** The client was switched off in place: one WARN line, the JVM goes on. */
    NEUTRALIZED,
    /** Start-up: main never runs, exit with exit.code. A load: the library is not loaded. */
    REFUSE,
    /** After start-up (runtime.action=halt): the JVM ends with exit.code. */
    HALT;

    /** The lower-case word used in log lines and JSON. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
