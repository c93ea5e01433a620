package dev.profguard.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.profguard.config.Config;
import dev.profguard.config.LogFormat;
import org.slf4j.Logger;

/**
 * The agent's logger. It is never obtained through {@code LoggerFactory}: that would run SLF4J's
 * provider discovery and Logback's auto-configuration, which read system properties, class path
 * resources and service files the application may own. It writes to the process's standard error
 * (descriptor 2) itself, not through {@code System.err}: the application can replace that stream,
 * and with it swallow the guard's lines, or run its own code in the middle of the gate's judgement
 * (a red-team round did both).
 */
public final class Logs {
    private static final Object LOCK = new Object();
    private static Logger logger;

    private Logs() {
    }

    /** The logger, built on first use with {@code format}; later calls get the same one. */
    public static Logger get(LogFormat format) {
        synchronized (LOCK) {
            if (logger == null) {
                logger = build(format);
            }
            return logger;
        }
    }

    private static Logger build(LogFormat format) {
        LoggerContext context = new LoggerContext();
        context.setName("profguard");
        context.setMDCAdapter(new LogbackMDCAdapter());
        EncoderBase<ILoggingEvent> encoder = format == LogFormat.JSON ? new JsonLineEncoder() : new TextLineEncoder();
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.err));
        appender.setImmediateFlush(true);
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Config config = Config.ofThisJvm(); // null for an option error: that line is an ERROR, always shown
        root.setLevel(config == null ? Level.WARN : Level.toLevel(config.logLevel(), Level.WARN));
        root.addAppender(appender);
        context.start();
        return context.getLogger("profguard");
    }
}
