package dev.profguard.ops;

/** The guard's state for JMX tooling, as {@code dev.profguard:type=Guard}. */
public interface GuardMXBean {
    /** UP or DOWN, as the health endpoint says. */
    String getStatus();

    /** allow, warn, neutralized, refuse. */
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
