package dev.profguard.config;

/** What a production JVM does when a profiler client is found at start-up (option {@code action}). */
public enum Action {
    /** {@code main} never runs; the JVM exits with {@code exit.code}. */
    REFUSE,
    /** Switch the client off in place and go on; refuse where that is impossible. */
    NEUTRALIZE,
    /** Only warn, even in production. */
    WARN;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
