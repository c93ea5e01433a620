package dev.profguard.health;

/** The guard's state for JMX tooling, as {@code dev.profguard:type=Guard}. */
public interface GuardMXBean {
    /** UP, DOWN or DISABLED, as the health endpoint says. */
    String getStatus();

    /** Whether /health/readiness answers 200. */
    boolean isReady();

    /** allow, warn, neutralized, refuse, active_late, ..., disabled. */
    String getOutcome();

    /** The environment tag, or null. */
    String getEnvironment();

    boolean isProduction();

    /** Each finding's evidence, strongest first. */
    String[] getFindings();

    String getVersion();

    /** The whole state as the health endpoint's JSON. */
    String getJson();
}
