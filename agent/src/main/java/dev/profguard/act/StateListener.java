package dev.profguard.act;

/**
 * Who is told what the guard decided and did (health: endpoint, status file, MXBean, metrics).
 * Defined here, below the runtime, so that nothing in the guard's flow depends on how it is
 * published; {@code Guard} passes one in when a health option asks for it, else null.
 */
public interface StateListener {
    /** Events the metrics count. */
    enum Count {
        /** the load gate refused a native library */
        REFUSED_LOAD,
        /** a client was switched off in place (at start-up or later) */
        SWITCH_OFF,
        /** the watcher looked once */
        WATCHER_TICK
    }

    /** The newest verdict or event; its findings add to those already known. */
    void changed(GuardState state);

    /** One more of {@code what}. */
    void counted(Count what);

    /**
     * The guard is about to end the JVM with {@code _exit} (a refusal, a halt): no shutdown hook
     * will run, so whatever marks the end must be published now.
     */
    default void ending() {
    }
}
