package dev.profguard.config;

/** A malformed option; the message names it, where it came from, and what is expected. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final LogFormat logFormat;

    public ConfigException(String message) {
        this(message, LogFormat.TEXT);
    }

    public ConfigException(String message, LogFormat logFormat) {
        super(message);
        this.logFormat = logFormat;
    }

    /** The log format the options asked for, as far as they could be read: the error is written in it. */
    public LogFormat logFormat() {
        return logFormat;
    }

    /** The same error, to be written in {@code format}. */
    ConfigException in(LogFormat format) {
        return format == logFormat ? this : new ConfigException(getMessage(), format);
    }
}
