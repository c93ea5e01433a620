package dev.profguard.it.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An application with its own SLF4J, Logback and logback.xml, which the agent must not touch. */
public final class LoggingApp {
    private LoggingApp() {
    }

    public static void main(String[] args) {
        Logger log = LoggerFactory.getLogger("app");
        log.info("app says hello");
        System.out.println(HelloApp.MARKER);
    }
}
