package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-up outcomes of README "Outcomes", each on JDK 17 and JDK 25, with the gcc-built stand-in. */
class StartupVerdictTest extends JvmTest {
    static final String CLIENT = "libmtuner_standin.so";
    static final String RENAMED = "libcompress-helper.so";



    @OnEachJdk
    void cleanProductionJvmRunsMainSilently(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        assertEquals("", run.stderr(), "nothing printed, by the agent or by the JVM (no JDK 25 warning)\n" + run);
    }

    @OnEachJdk
    void refusesPreloadedClientInProduction(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").preload(CLIENT).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR MTuner's client"), line);
        assertTrue(line.contains(Jvm.fixture(CLIENT).toString()), "names the library: " + line);
        assertTrue(line.contains("rmemInit, rmemShutDown"), "names the symbols: " + line);
        assertTrue(line.contains("LD_PRELOAD="), "names the variable: " + line);
        assertTrue(line.contains("exit status 78"), line);
        assertTrue(line.matches(".*Capture data: capture file \\S+\\.MTuner: \\d+ bytes, deleted\\.$"),
                "the stand-in really ran and wrote its capture file, which the refusal deleted: " + line);
        assertFalse(captureFileWritten(), "nothing of it is left");
    }

    @OnEachJdk
    void refusesRenamedClientByItsSymbols(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").preload(RENAMED).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("loaded object " + Jvm.fixture(RENAMED) + " defines rmemInit, rmemShutDown"), line);
        assertTrue(line.contains("LD_PRELOAD=" + Jvm.fixture(RENAMED) + " (preloaded)"),
                "the variable is named too, the symbols once: " + line);
    }

    @OnEachJdk
    void warnsAndRunsMainInStaging(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs(null).env("APP_ENV", "staging").preload(CLIENT).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client"), line);
        assertTrue(line.contains("env=staging, set by environment variable APP_ENV; not production"), line);
        assertTrue(line.contains("main runs (not a production JVM; in production: the JVM would be refused)"), line);
    }

    @OnEachJdk
    void warnsWithoutTagAndOnWeakEvidenceOnly(Jdk jdk) throws Exception {
        Run untagged = Jvm.on(jdk, dir).preload(CLIENT).run();
        assertEquals(0, untagged.exitStatus(), untagged.toString());
        assertTrue(untagged.onlyProfguardLine().contains("(no environment tag: not production)"));
        Run weak = Jvm.on(jdk, dir).agentArgs("env=prod").env("MTuner_Allocator", "7")
                .env("LD_PRELOAD", dir.resolve("missing/libmtuner.so").toString()).run();
        assertEquals(0, weak.exitStatus(), weak.toString());
        assertTrue(weak.mainRan());
        String line = weak.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN signs of MTuner's client"), line);
        assertTrue(line.contains("MTuner_Allocator"), line);
        assertFalse(line.contains("=7"), "a variable's value is not evidence: " + line);
        assertTrue(line.contains("file does not exist"), line);
    }

    /** The production tag from each place it can come from. */
    static Stream<Object[]> tagSources() {
        return Jdk.all().flatMap(jdk -> Stream.of(
                new Object[]{jdk, "agent argument", (TagSource) j -> j.agentArgs("env=production")},
                new Object[]{jdk, "system property", (TagSource) j -> j.option("-Dprofguard.env=prod")},
                new Object[]{jdk, "PROFGUARD_ENV", (TagSource) j -> j.env("PROFGUARD_ENV", "live")},
                new Object[]{jdk, "APP_ENV", (TagSource) j -> j.env("APP_ENV", "prd")},
                new Object[]{jdk, "DEPLOY_ENV", (TagSource) j -> j.env("DEPLOY_ENV", "production")}));
    }

    interface TagSource {
        Jvm apply(Jvm jvm);
    }

    @ParameterizedTest(name = "{0}, tag from {1}")
    @MethodSource("tagSources")
    void productionTagFromEverySourceRefuses(Jdk jdk, String source, TagSource tag) throws Exception {
        Run run = tag.apply(Jvm.on(jdk, dir).preload(CLIENT)).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        assertTrue(run.onlyProfguardLine().contains("; production)"), run.toString());
    }

    @OnEachJdk
    void agentThroughJavaToolOptionsRefuses(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).noAgentOption().env("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT)
                .env("PROFGUARD_ENV", "production").preload(CLIENT).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR MTuner's client"));
    }

    @OnEachJdk
    void agentGivenTwiceRunsOnce(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=staging").env("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT)
                .preload(CLIENT).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        run.onlyProfguardLine(); // one WARN, not two
    }

    @OnEachJdk
    void actionsAndExitCode(Jdk jdk) throws Exception {
        Run warn = Jvm.on(jdk, dir).agentArgs("env=production,action=warn").preload(CLIENT).run();
        assertEquals(0, warn.exitStatus(), warn.toString());
        assertTrue(warn.mainRan());
        assertTrue(warn.onlyProfguardLine().startsWith("profguard: WARN"), warn.toString());

        Run neutralize = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize,probe=off").preload(CLIENT).run();
        assertEquals(78, neutralize.exitStatus(), neutralize.toString());
        assertFalse(neutralize.mainRan());
        assertTrue(neutralize.onlyProfguardLine().contains("(action=neutralize, but it cannot be switched off: switching off "
                + "needs the native probe, which is not loaded (probe=off))"),
                neutralize.toString());

        Run custom = Jvm.on(jdk, dir).agentArgs("env=production,exit.code=3").preload(CLIENT).run();
        assertEquals(3, custom.exitStatus(), custom.toString());
        assertTrue(custom.onlyProfguardLine().contains("exit status 3"));
    }

    @OnEachJdk
    void jsonLinesWhenAsked(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,log.format=json").preload(RENAMED).run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
        assertTrue(line.contains("\"level\":\"ERROR\""), line);
        assertTrue(line.contains("\"message\":\"profguard: MTuner's client"), line);
        assertTrue(line.contains("\"exit_status\":78"), line);
        assertTrue(line.contains("\"symbols\":[\"rmemInit\",\"rmemShutDown\""), line);
        assertTrue(line.contains("\"path\":\"" + Jvm.fixture(RENAMED) + "\""), line);
    }

    private boolean captureFileWritten() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("mtuner_capture_\\d+\\.MTuner"));
        }
    }
}
