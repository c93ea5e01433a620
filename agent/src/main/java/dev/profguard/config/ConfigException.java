package dev.profguard.config;

/** A malformed option; the message names it, where it came from, and what is expected. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
