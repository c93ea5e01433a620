package dev.profguard.it.app;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: a real -javaagent jar under whatever name a test gives it. */
public final class NoopAgent {
    private NoopAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        // nothing
    }
}
