package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HelloApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A production JVM open to agents loaded at run time is told so, accurately for its JDK; the line
 * can be acknowledged (attach=ignore) or turned into a refusal (attach=refuse); with the flags the
 * README recommends, a clean production start prints nothing.
 */
class AttachPostureTest extends JvmTest {
    private static boolean agentFlag(Jdk jdk) {
        return jdk.name().equals("JDK 25"); // -XX:-EnableDynamicAgentLoading exists from JDK 21 (JEP 451)
    }

    @OnEachJdk
    void productionWithAgentsOpenGetsOneAccurateWarning(Jdk jdk) throws Exception {
        Run open = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").run();
        assertEquals(0, open.exitStatus(), open.toString());
        assertTrue(open.mainRan());
        String line = open.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN this production JVM lets local processes of the same user (or root) "
                + "load agents and native code into it at run time through dynamic attach"), line);
        assertTrue(line.contains("attach=ignore"), "says how to acknowledge it: " + line);
        if (agentFlag(jdk)) {
            assertTrue(line.contains("Close it with -XX:-EnableDynamicAgentLoading, which keeps jcmd and jstack working "
                    + "(heap dumps through jcmd GC.heap_dump stay possible)"), line);
        } else {
            assertTrue(line.contains("On JDK 17 only -XX:+DisableAttachMechanism closes it, and it also stops jcmd, jstack "
                    + "and jmap"), line);
        }
        Run viaVariable = Jvm.on(jdk, dir).attachOpen().env("JAVA_TOOL_OPTIONS", "-XX:+DisableAttachMechanism")
                .agentArgs("env=production").run();
        assertEquals(0, viaVariable.profguardLines().size(), "closed through JAVA_TOOL_OPTIONS\n" + viaVariable);
        Run staging = Jvm.on(jdk, dir).attachOpen().agentArgs("env=staging").run();
        assertEquals("", staging.stderr(), "only production JVMs are told\n" + staging);
    }

    /**
     * The flags are the ones the JVM parsed, as it recorded them, not a reading of the command
     * line and the variables (red team, round 6): a flag among the program's own arguments, one
     * overridden from a -XX:VMOptionsFile or an @argfile, JDK_JAVA_OPTIONS under a host that
     * starts the JVM itself (JNI_CreateJavaVM; only the java launcher reads that variable), and
     * JAVA_TOOL_OPTIONS emptied by that host after the process started with it. Each leaves attach
     * open, and each production JVM is told so.
     */
    @OnEachJdk
    void theFlagsAreTheOnesTheJvmParsed(Jdk jdk) throws Exception {
        Path reopen = dir.resolve("reopen.options");
        Files.writeString(reopen, "-XX:-DisableAttachMechanism\n");
        List<Run> runs = List.of(
                Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").main(HelloApp.class, "-XX:+DisableAttachMechanism").run(),
                Jvm.on(jdk, dir).agentArgs("env=production").option("-XX:VMOptionsFile=" + reopen).run(),
                Jvm.on(jdk, dir).agentArgs("env=production").option("@" + reopen).run(),
                Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").env("JDK_JAVA_OPTIONS", "-XX:+DisableAttachMechanism")
                        .wrappedIn(List.of(Jvm.fixture("embed_launcher").toString(), "UNRELATED", "1")).run(),
                Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").env("JAVA_TOOL_OPTIONS", "-XX:+DisableAttachMechanism")
                        .wrappedIn(List.of(Jvm.fixture("embed_launcher").toString(), "JAVA_TOOL_OPTIONS", "")).run());
        for (Run run : runs) {
            assertEquals(0, run.exitStatus(), run.toString());
            assertTrue(run.mainRan(), run.toString());
            assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN this production JVM lets local processes"), run.toString());
        }
        // a preloaded library named libjvm.so comes first by name; the JVM's own is asked all the same
        Run fakeJvm = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production").preload("fake-jvm/libjvm.so").run();
        assertEquals(0, fakeJvm.exitStatus(), fakeJvm.toString());
        assertTrue(fakeJvm.profguardLines().stream().anyMatch(l -> l.startsWith("profguard: WARN this production JVM lets local")),
                fakeJvm.toString());
        Run refused = Jvm.on(jdk, dir).agentArgs("env=production,attach=refuse").option("-XX:VMOptionsFile=" + reopen).run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        assertFalse(refused.mainRan(), refused.toString());
        // one sentence says how to close it (it once read "Launch it with Close it with")
        assertTrue(refused.onlyProfguardLine().contains("exit status 78. " + (agentFlag(jdk) ? "Close it with" : "On JDK 17 only")),
                refused.toString());
    }

    @OnEachJdk
    void onceAcknowledgedACleanStartIsSilent(Jdk jdk) throws Exception {
        Run ignored = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production,attach=ignore").run();
        assertEquals(0, ignored.exitStatus(), ignored.toString());
        assertTrue(ignored.mainRan());
        assertEquals("", ignored.stderr(), ignored.toString());
        Run byVariable = Jvm.on(jdk, dir).attachOpen().env("APP_ENV", "production").env("PROFGUARD_ATTACH", "ignore").run();
        assertEquals("", byVariable.stderr(), byVariable.toString());
    }

    @OnEachJdk
    void attachRefuseRefusesAProductionJvmOpenToAgents(Jdk jdk) throws Exception {
        Run refused = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production,attach=refuse").run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        assertFalse(refused.mainRan(), refused.toString());
        assertTrue(refused.onlyProfguardLine().startsWith("profguard: ERROR this production JVM lets local processes"),
                refused.toString());
        assertTrue(refused.onlyProfguardLine().contains("attach=refuse: main will not run, exit status 78."), refused.toString());
        Run closed = Jvm.on(jdk, dir).agentArgs("env=production,attach=refuse").run(); // -XX:+DisableAttachMechanism
        assertEquals(0, closed.exitStatus(), closed.toString());
        assertEquals("", closed.stderr());
    }

    /** README "Operating it": the recommended production launch of each JDK. */
    @OnEachJdk
    void aCleanProductionStartWithTheRecommendedFlagsPrintsNothing(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).attachOpen().env("APP_ENV", "production");
        if (agentFlag(jdk)) {
            jvm.option("-XX:-EnableDynamicAgentLoading"); // JDK 21+: agents closed, jcmd and jstack kept
        } else {
            jvm.env("PROFGUARD_ATTACH", "ignore"); // JDK 17: no flag for agents alone; acknowledged
        }
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        assertEquals("", run.stderr(), run.toString());
        assertEquals(List.of(), run.profguardLines());
    }
}
