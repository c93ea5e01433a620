package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a clean production start (probe, gate, watcher) must not load: each of these was measured
 * at milliseconds on the path to main (benchmarks/RESULTS.md) and taken off it. A structural
 * check, from the JVM's own class-loading log; the timings themselves live in benchmarks/.
 *
 * <p>The start-up budget, written once here: a clean start loads at most {@link #BUDGET} classes of
 * ours (Agent and the bridge in java.base counted) before main (each about 0.25 ms, issue #16). The probe takes the first look in C; the
 * evidence ladder, the policy, the actions, the rules parser, the gate itself and logging load
 * only when there is something to look at, a library to load, or something to say.
 */
class StartupCostTest extends JvmTest {
    static final int BUDGET = 10;
    private static final List<String> NOT_AT_START = List.of(
            "dev.profguard.detect.Scanner ",        // the full scan: the probe's first look found nothing
            "dev.profguard.detect.Evidence ",
            "dev.profguard.elf.",
            "dev.profguard.rules.RulesParser ",     // the built-in rules reach the probe as the build wrote them
            "dev.profguard.policy.Verdict ",        // no findings: nothing to decide
            "dev.profguard.policy.Policy ",         // (option attach applies in production: Config says so)
            "dev.profguard.act.Actions ",
            "dev.profguard.runtime.LoadGate ",      // made at the first library load
            "dev.profguard.runtime.Watcher ",       // made on its thread after the first interval (1 s here)
            "dev.profguard.runtime.JdkLoaders ",
            "dev.profguard.detect.ProcFs ",
            "dev.profguard.runtime.EntryPatch ",    // the probe patches the JDK's loaders (entry_patch.c)
            "dev.profguard.runtime.JdkLoaderPatch ",
            "dev.profguard.rules.RuleSet ",         // the built-in rules alone: made by the gate or watcher when first needed
            "dev.profguard.rules.Glob ",            // the default production tags are compared in Config
            "dev.profguard.util.Tokens ",           // options split with String.split's one-character fast path
            "dev.profguard.config.ConfigException ", // thrown through ConfigException.raise: not loaded to verify Config
            "dev.profguard.probe.ProbeUnavailableException ",
            "dev.profguard.shaded.bytebuddy.",      // ASM: EntryPatch's fallback
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
        List<String> ours = lines.subList(0, main).stream().filter(l -> l.contains("] dev.profguard."))
                .map(l -> l.substring(l.indexOf("] dev.profguard.") + 2).split(" ")[0]).toList();
        // the bridge (java.lang.ProfguardBridge) is ours too: counted, though not in the pack
        assertTrue(ours.size() + 1 <= BUDGET, ours.size() + " classes of ours and the bridge before main, budget " + BUDGET + ": " + ours);
        // each is in the pack the agent's class loader (dev.profguard.Agent) reads at once (but Agent, which the JVM's agent loading takes from the jar)
        List<String> packed = packedNames();
        for (String name : ours) {
            assertTrue(packed.contains(name) || name.equals("dev.profguard.Agent"),
                    name + " is loaded before main and missing from " + AgentJarClasses.LIST + " (agent/src/main/resources): add it there");
        }
    }

    /**
     * The pack of start classes holds the shaded jar's own class files, byte for byte (it is made
     * from it), as the pack of all classes does, and nothing else; it is stored, to be read without
     * inflating.
     */
    @Test
    void thePackOfStartClassesIsTheJarsOwnClasses() throws Exception {
        try (ZipFile jar = new ZipFile(Jvm.AGENT.toFile())) {
            assertEquals(ZipEntry.STORED, jar.getEntry(AgentJarClasses.START).getMethod(), "stored: read without inflating");
        }
        Map<String, byte[]> start = AgentJarClasses.start(Jvm.AGENT);
        Map<String, byte[]> all = AgentJarClasses.all(Jvm.AGENT);
        try (ZipFile shaded = new ZipFile(AgentJarTest.SHADED.toFile())) {
            for (Map.Entry<String, byte[]> packed : start.entrySet()) {
                try (InputStream in = shaded.getInputStream(shaded.getEntry(packed.getKey().replace('.', '/') + ".class"))) {
                    assertArrayEquals(in.readAllBytes(), packed.getValue(), packed.getKey() + " differs from the shaded jar's copy");
                }
                assertArrayEquals(all.get(packed.getKey()), packed.getValue(), packed.getKey() + " differs from the pack of all classes");
            }
        }
        assertEquals(packedNames(), List.copyOf(start.keySet()));
    }

    /** The names the build packed: the list in the jar, without its comments. */
    private static List<String> packedNames() throws Exception {
        return new String(AgentJarClasses.entry(Jvm.AGENT, AgentJarClasses.LIST), StandardCharsets.UTF_8).lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
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
