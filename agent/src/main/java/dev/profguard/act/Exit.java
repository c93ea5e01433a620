package dev.profguard.act;

import dev.profguard.probe.Probe;

/**
 * Ends the JVM deliberately: the refusals, {@code runtime.action=halt} and the malformed-option
 * stop are the only exits. An exception escaping {@code premain} would abort the JVM with a native
 * stack and status 134 (see shared/docs/jdk-facts.md), so a refusal is always an exit.
 */
public final class Exit {
    /** Exit status of a malformed option. */
    public static final int BAD_OPTION = 64;

    private Exit() {
    }

    /** A plain exit, for stops before any client could be judged (a malformed option). */
    public static void now(int status) {
        flush();
        try {
            System.exit(status);
        } catch (Throwable t) {
            // A SecurityManager or a shutdown already under way: exit all the same.
            Runtime.getRuntime().halt(status);
        }
    }

    /**
     * Ends a JVM that holds a profiler client without running the client's own exit code: with
     * the probe, {@code _exit}, so no C exit handler or library destructor runs and the client's
     * exit-time flush of its capture buffer never happens. Without the probe there is no way to
     * skip them from Java ({@code Runtime.halt} runs them too, shared/docs/jdk-facts.md), so the
     * JVM halts and the client may still write what it buffered.
     */
    public static void withoutClientFlush(int status, Probe probe) {
        flush();
        if (probe != null) {
            try {
                probe.endProcess(status);
            } catch (Throwable t) {
                // fall through to halt
            }
        }
        Runtime.getRuntime().halt(status);
    }

    private static void flush() {
        System.out.flush();
        System.err.flush();
    }
}
