package dev.profguard;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code -javaagent} entry points. Kept to the JDK's own classes so that a clean start loads
 * nothing it does not need; the work is in {@link Guard}.
 */
public final class Agent {
    /** The agent given twice (command line and JAVA_TOOL_OPTIONS) runs once: one class, one flag. */
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Agent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        if (STARTED.compareAndSet(false, true)) {
            Guard.start(args, instrumentation, true);
        }
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        if (STARTED.compareAndSet(false, true)) {
            Guard.start(args, instrumentation, false);
        }
    }
}
