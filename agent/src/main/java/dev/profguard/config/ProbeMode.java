package dev.profguard.config;

/** Option {@code probe}: whether the native probe is loaded. */
public enum ProbeMode {
    /** Load it; when it cannot be, one WARN and the pure-Java checks carry on. */
    AUTO,
    /** Load it; when it cannot be, refuse to start (exit.code), in any environment. */
    REQUIRED,
    /** Do not load it: pure-Java checks only, and no neutralize. */
    OFF
}
