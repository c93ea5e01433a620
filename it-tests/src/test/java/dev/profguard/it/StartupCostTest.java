package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a clean production start (probe, gate, watcher) must not load: each of these was measured
 * at milliseconds on the path to main (benchmarks/RESULTS.md) and taken off it. A structural
 * check, from the JVM's own class-loading log; the timings themselves live in benchmarks/.
 */
class StartupCostTest extends JvmTest {
    private static final List<String> NOT_AT_START = List.of(
            "dev.profguard.shaded.bytebuddy.",      // ASM: the gate is inserted by EntryPatch
            "dev.profguard.shaded.logback.",        // nothing to say, so no logging set up
            "java.security.SecureRandom ",          // security providers (temp files, MessageDigest)
            "sun.security.provider.",
            "java.time.format.DateTimeFormatter ",  // the health state's time is formatted when served
            "sun.net.www.protocol.jar.JarURLConnection ", // the probe is read through java.util.zip
            "sun.nio.ch.FileChannelImpl ");         // the probe is written with java.io

    @OnEachJdk
    void aCleanStartLoadsNoneOfWhatItDoesNotNeed(Jdk jdk) throws Exception {
        Path log = dir.resolve("classes.log");
        // no health.port or status.file: their thread runs beside main and may load what it likes
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=1s")
                .option("-Xlog:class+load=info:file=" + log).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        List<String> lines = Files.readAllLines(log);
        int main = indexOf(lines, "dev.profguard.it.app.");
        assertTrue(main > 0, "the application's main class is in the log");
        assertTrue(indexOf(lines, "dev.profguard.Agent ") < main && indexOf(lines, "java.lang.ProfguardBridge ") < main,
                "the guard and its gate were in place before main");
        for (String unwanted : NOT_AT_START) {
            int at = indexOf(lines, " " + unwanted);
            assertTrue(at < 0 || at > main, unwanted + " was loaded before main: " + (at < 0 ? "" : lines.get(at)));
        }
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
