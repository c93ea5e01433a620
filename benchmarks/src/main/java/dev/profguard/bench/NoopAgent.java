package dev.profguard.bench;

import java.lang.instrument.Instrumentation;

/** The no-op agent the start-up benchmark compares with: every -javaagent pays at least this. */
public final class NoopAgent {
    private NoopAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        // nothing: the floor every agent pays
    }
}
