package dev.profguard.it;

import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.SleepingApp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe commands of packaging/kubernetes/deployment.yaml and the launch script of
 * packaging/bin, run as written against real guarded JVMs (paths and port adjusted to the test).
 */
class KubernetesExampleTest extends JvmTest {
    static final Path PACKAGING = Jvm.AGENT.getParent().getParent().getParent().resolve("packaging");

    /** The sh -c command of the named probe in the example deployment. */
    private static String probeCommand(String probe) throws IOException {
        String yaml = Files.readString(PACKAGING.resolve("kubernetes/deployment.yaml"));
        Matcher m = Pattern.compile(probe + ":\\s*\\n\\s*exec:\\s*\\n\\s*command: \\[\"sh\", \"-c\", \"(.*)\"\\]").matcher(yaml);
        assertTrue(m.find(), "no exec probe " + probe + " in deployment.yaml");
        return m.group(1).replace("\\\"", "\"");
    }

    private static int sh(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void theDeploymentsProbesPassForACleanJvmAndFailWhileAClientIsActive() throws Exception {
        assertEquals(0, sh("command -v wget >/dev/null"), "the liveness probe needs wget (.ci/run installs it)");
        for (boolean clean : new boolean[]{true, false}) {
            int port = freePort();
            Path status = dir.resolve("status-" + clean + ".json");
            String liveness = probeCommand("livenessProbe").replace("8089", Integer.toString(port));
            String readiness = probeCommand("readinessProbe").replace("/tmp/profguard-status.json", status.toString());
            List<String> command = new ArrayList<>(List.of(Jdk.all().findFirst().orElseThrow().java().toString(),
                    "-cp", Jvm.codeSource(HelloApp.class).toString(), SleepingApp.class.getName()));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("LD_PRELOAD"));
            builder.environment().putAll(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT,
                    "APP_ENV", "production", "PROFGUARD_STATUS_FILE", status.toString(),
                    "PROFGUARD_HEALTH_PORT", Integer.toString(port)));
            if (!clean) { // a production JVM that holds an active client: action=warn lets it run
                builder.environment().put("LD_PRELOAD", Jvm.fixture("libmtuner_standin.so").toString());
                builder.environment().put("PROFGUARD_ACTION", "warn");
            }
            Process app = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                // Until the endpoint answers at all: wget exits 4 while nothing listens, 8 on an HTTP error.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int live = sh(liveness);
                while (live == 4 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    live = sh(liveness);
                }
                if (clean) {
                    assertEquals(0, live, "liveness as written passes for a clean JVM");
                    assertEquals(0, sh(readiness), "readiness as written passes for a clean JVM");
                } else {
                    assertEquals(8, live, "liveness as written fails (HTTP 503) while a client is active");
                    assertEquals(1, sh(readiness), "readiness as written fails while a client is active");
                }
            } finally {
                try (OutputStream stdin = app.getOutputStream()) {
                    stdin.write('\n');
                } catch (IOException e) {
                    // gone already
                }
                app.waitFor(30, TimeUnit.SECONDS);
                app.destroyForcibly();
            }
        }
    }

    @Test
    void theLaunchScriptStartsAGuardedJvmAndRefusesWithoutTheJar() throws Exception {
        Path script = PACKAGING.resolve("bin/run-guarded");
        ProcessBuilder guarded = new ProcessBuilder("dash", script.toString(), "-cp", Jvm.codeSource(HelloApp.class).toString(),
                HelloApp.class.getName()).directory(dir.toFile());
        guarded.environment().putAll(Map.of("PROFGUARD_AGENT", Jvm.AGENT.toString(), "APP_ENV", "production",
                "LD_PRELOAD", Jvm.fixture("libcompress-helper.so").toString(),
                "JAVA", Jdk.all().findFirst().orElseThrow().java().toString()));
        Process refused = guarded.redirectErrorStream(true).start();
        String output = new String(refused.getInputStream().readAllBytes());
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(78, refused.exitValue(), output);
        assertTrue(output.startsWith("profguard: ERROR MTuner's client"), output);
        ProcessBuilder noJar = new ProcessBuilder("dash", script.toString(), "-version");
        noJar.environment().put("PROFGUARD_AGENT", dir.resolve("absent.jar").toString());
        Process missing = noJar.redirectErrorStream(true).start();
        missing.getInputStream().readAllBytes();
        assertTrue(missing.waitFor(30, TimeUnit.SECONDS));
        assertEquals(64, missing.exitValue());
    }
}
