package dev.profguard;

import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry points. Kept to the JDK's own classes so that a clean start loads
 * nothing it does not need; the work is in {@link Guard}.
 */
public final class Agent {
    /**
     * The agent given twice (command line and JAVA_TOOL_OPTIONS) runs once: one class, one flag.
     * A plain lock rather than AtomicBoolean, whose VarHandle machinery costs start-up time.
     */
    private static boolean started;

    private Agent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        if (firstStart()) {
            Guard.start(args, instrumentation, true);
        }
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        if (firstStart()) {
            Guard.start(args, instrumentation, false);
        }
    }

    private static synchronized boolean firstStart() {
        boolean first = !started;
        started = true;
        return first;
    }
}
