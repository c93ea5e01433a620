package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoggingApp;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application's own SLF4J and Logback, its logback.xml, and the system properties both read
 * by name: none of them reaches the agent's copies, and the agent changes nothing of them.
 */
class LoggingIsolationTest extends JvmTest {


    @OnEachJdk
    void applicationLoggingIsUntouchedAndDoesNotReconfigureTheAgent(Jdk jdk) throws Exception {
        Path appConfig = Path.of(LoggingIsolationTest.class.getResource("/app-logging/logback.xml").toURI());
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=staging").preload("libmtuner_standin.so")
                .classpath(appConfig.getParent())
                .classpath(Jvm.codeSource(LoggerFactory.class))
                .classpath(Jvm.codeSource(ch.qos.logback.classic.Logger.class))
                .classpath(Jvm.codeSource(ch.qos.logback.core.Appender.class))
                .option("-Dlogback.configurationFile=" + appConfig)
                .option("-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider")
                .option("-Dlogback.statusListenerClass=ch.qos.logback.core.status.OnConsoleStatusListener")
                .main(LoggingApp.class);
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        List<String> lines = run.stderr().lines().toList();
        assertTrue(lines.contains("APPLOG INFO [app] app says hello"), "the app logs its own way\n" + run);
        String warn = run.onlyProfguardLine();
        assertTrue(warn.startsWith("profguard: WARN MTuner's client"), warn);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("APPLOG") && l.contains("profguard")),
                "the app's configuration never formats the agent's lines\n" + run);
        String all = run.stdout() + run.stderr();
        assertFalse(all.contains("SLF4J(W)") || all.contains("SLF4J(E)") || all.contains("SLF4J: "),
                "no SLF4J warnings from either copy\n" + run);
        assertTrue(all.contains("SLF4J(I): Attempting to load provider \"ch.qos.logback.classic.spi.LogbackServiceProvider\""),
                "the application's SLF4J still honours its slf4j.provider\n" + run);
        assertTrue(run.stdout().contains("Found resource [" + appConfig + "]"),
                "the application's Logback still reads logback.configurationFile (its status listener says so)\n" + run);
        assertFalse(all.contains("dev.profguard"), "the agent's Logback is neither configured nor reported\n" + run);
    }

    @OnEachJdk
    void agentIgnoresAnApplicationLogbackXmlOnTheClassPath(Jdk jdk) throws Exception {
        // A logback.xml at the root of the class path, which the agent's Logback would pick up
        // if it ever auto-configured; it would print the agent's line as "HIJACKED ...".
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(classes.resolve("logback.xml"), "<configuration><appender name=\"E\" "
                + "class=\"ch.qos.logback.core.ConsoleAppender\"><target>System.err</target><encoder>"
                + "<pattern>HIJACKED %msg%n</pattern></encoder></appender><root level=\"DEBUG\">"
                + "<appender-ref ref=\"E\"/></root></configuration>");
        Files.copy(classes.resolve("logback.xml"), classes.resolve("logback-test.xml"));
        Run run = Jvm.on(jdk, dir).agentArgs("env=staging").preload("libmtuner_standin.so").classpath(classes).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertFalse(run.stderr().contains("HIJACKED"), run.toString());
        assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN"));
    }
}
