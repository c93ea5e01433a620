package dev.profguard.config;

import java.util.Locale;

/** What a production JVM does about a client found after start-up (option {@code runtime.action}). */
public enum RuntimeAction {
    /** Call the client's own shutdown function; where impossible, warn and report DOWN. */
    NEUTRALIZE,
    /** Only warn; the guard reports DOWN while the client is active. */
    WARN,
    /** End the JVM with exit.code, without running the client's exit code. */
    HALT;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
