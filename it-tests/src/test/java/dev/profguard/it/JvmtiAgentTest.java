package dev.profguard.it;

import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.PauseApp;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** async-profiler (from Maven Central) attached at run time with jcmd is noticed and reported. */
class JvmtiAgentTest extends JvmTest {
    @OnEachJdk
    void aJvmtiAgentAttachedAtRunTimeIsReported(Jdk jdk) throws Exception {
        Path profiler = dir.resolve("libasyncProfiler.so");
        try (InputStream in = JvmtiAgentTest.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
            Files.copy(in, profiler);
        }
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(),
                "-javaagent:" + Jvm.AGENT + "=env=production,watch.interval=300ms"));
        if (!jdk.name().equals("JDK 17")) {
            command.add("-XX:+EnableDynamicAgentLoading"); // JDK 21+ warns about dynamic agents otherwise
        }
        command.addAll(List.of("-cp", Jvm.codeSource(HelloApp.class).toString(), PauseApp.class.getName(), "4000"));
        try (RunningJvm app = new RunningJvm(command, Map.of(), dir)) {
            Process jcmd = new ProcessBuilder(jdk.home().resolve("bin/jcmd").toString(), Long.toString(app.process.pid()),
                    "JVMTI.agent_load", profiler.toString()).redirectErrorStream(true).start();
            String said = new String(jcmd.getInputStream().readAllBytes());
            assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, jcmd.exitValue(), said);
            assertEquals(0, app.await(), app.stderr());
            List<String> lines = app.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
            assertEquals(3, lines.size(), app.stderr());
            assertTrue(lines.get(0).startsWith("profguard: WARN this production JVM lets local processes"),
                    "attach is open here (jcmd needs it), and the agent says so at start-up: " + lines.get(0));
            assertTrue(lines.get(1).startsWith("profguard: WARN a JVMTI agent was loaded into this running JVM: " + profiler
                    + " (defines Agent_OnAttach"), lines.get(1));
            // and the built-in rule knows it: async-profiler, strength warn
            assertTrue(lines.get(2).startsWith("profguard: WARN async-profiler found in this running JVM after start-up"),
                    lines.get(2));
            assertTrue(lines.get(2).contains("(strength=warn: warned about, never refused)"), lines.get(2));
        }
    }
}
