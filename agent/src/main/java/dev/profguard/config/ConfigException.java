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

    /**
     * Throws a ConfigException saying {@code message}, for {@code throw ConfigException.raise(...)}.
     * Typed to return a RuntimeException: the JVM's verifier loads the class of whatever a method
     * throws, to check that it is a Throwable, so {@code throw new ConfigException(...)} in
     * {@link Config} would load this class on every start, where options are nearly always fine
     * (issue #16).
     */
    static RuntimeException raise(String message) throws ConfigException {
        throw new ConfigException(message);
    }

    /** {@code failure}, a ConfigException, thrown again to be written in {@code format}; as {@link #raise(String)}. */
    static RuntimeException raise(Exception failure, LogFormat format) throws ConfigException {
        if (failure instanceof ConfigException) {
            throw ((ConfigException) failure).in(format);
        }
        return new IllegalStateException(failure); // no other checked exception is declared: not reached
    }
}
