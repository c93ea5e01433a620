package dev.profguard.policy;

/**
 * Where a question about a profiler client is asked. Every surface asks the same {@link Policy};
 * the surface only says what can be done about the answer there.
 */
public enum Surface {
    /** premain, before main: refuse, switch off, or warn. */
    START("at start-up"),
    /** A library about to be loaded through Java: refuse the load, or warn. */
    LOAD("at a library load"),
    /** Something loaded behind the gate after start-up, seen by the watcher: switch off, halt, or warn. */
    LATE("after start-up"),
    /** {@code check}: what the target's guard would decide at start-up, reported, never carried out. */
    CHECK("by check"),
    /** {@code scan}: files before they ship; found is found, whatever the environment. */
    SCAN("by scan");

    private final String words;

    Surface(String words) {
        this.words = words;
    }

    public String words() {
        return words;
    }
}
