package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.MBeanApp;
import dev.profguard.it.app.SleepingApp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The health endpoint over real HTTP, the status file, and the MXBean, in real guarded JVMs. */
class HealthTest extends JvmTest {
    record Answer(int status, String body) {
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** GET /health, retried until the endpoint is up (it starts on a background thread). */
    private static Answer get(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health")
                        .toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                int status = connection.getResponseCode();
                try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                    return new Answer(status, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Starts a guarded SleepingApp, runs the body against it, stops it; returns its stderr. */
    private String withGuardedApp(Jdk jdk, String agentArgs, String preload, ThrowingRunnable body) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-javaagent:" + Jvm.AGENT + "=" + agentArgs,
                "-cp", Jvm.codeSource(HelloApp.class).toString(), SleepingApp.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("APP_ENV") || k.equals("LD_PRELOAD"));
        if (preload != null) {
            builder.environment().put("LD_PRELOAD", Jvm.fixture(preload).toString());
        }
        Path err = Files.createTempFile(dir, "app", ".err");
        Process app = builder.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            body.run();
        } finally {
            try (OutputStream stdin = app.getOutputStream()) {
                stdin.write('\n');
            } catch (IOException e) {
                // gone already
            }
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
        return Files.readString(err);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @OnEachJdk
    void upWhenCleanDownWhileAClientIsActiveUpAgainOnceSwitchedOff(Jdk jdk) throws Exception {
        int clean = freePort();
        withGuardedApp(jdk, "env=production,health.port=" + clean, null, () -> {
            Answer answer = get(clean);
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"allow\",\"env\":\"production\""), answer.body());
            assertTrue(answer.body().contains("\"version\":\"0."), answer.body());
        });
        int active = freePort();
        withGuardedApp(jdk, "env=production,action=warn,health.port=" + active, "libmtuner_standin.so", () -> {
            Answer answer = get(active);
            assertEquals(503, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"DOWN\",\"outcome\":\"warn\""), answer.body());
            assertTrue(answer.body().contains("\"profiler\":\"MTuner's client (rmem)\""), answer.body());
        });
        int staging = freePort();
        withGuardedApp(jdk, "env=staging,health.port=" + staging, "libmtuner_standin.so", () -> {
            Answer answer = get(staging);
            assertEquals(200, answer.status(), "a client allowed outside production: UP, with the finding listed\n"
                    + answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"warn\""), answer.body());
            assertTrue(answer.body().contains("\"profiler\":\"MTuner's client (rmem)\""), answer.body());
        });
        int neutralized = freePort();
        withGuardedApp(jdk, "env=production,action=neutralize,health.port=" + neutralized, "libmtuner_standin.so", () -> {
            Answer answer = get(neutralized);
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"neutralized\""), answer.body());
        });
    }

    @OnEachJdk
    void portInUseIsAWarningAndTheGuardKeepsWorking(Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,health.port=" + taken.getLocalPort()).main(MBeanApp.class).run();
            assertEquals(0, run.exitStatus(), run.toString());
            assertTrue(run.mainRan());
            assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN health endpoint not started on 127.0.0.1:"
                    + taken.getLocalPort()), run.toString());
            assertTrue(run.stdout().contains("MXBEAN UP allow 0"), "the MXBean still tells\n" + run);
        }
    }

    @OnEachJdk
    void theJvmStillEndsWhenMainReturns(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,health.port=" + freePort()).run();
        assertEquals(0, run.exitStatus(), "the health threads are daemons: the JVM ended by itself\n" + run);
        assertEquals("", run.stderr());
    }

    @OnEachJdk
    void mxBeanTellsTheSameState(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=warn,status.file=" + dir.resolve("status.json"))
                .preload("libmtuner_standin.so").main(MBeanApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("MXBEAN DOWN warn "), run.toString());
    }

    @OnEachJdk
    void statusFileIsReplacedAtomicallyAndWrittenBeforeARefusal(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Files.writeString(status, "stale content that must disappear entirely\n".repeat(100));
        Run up = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + status).main(MBeanApp.class).run();
        assertEquals(0, up.exitStatus(), up.toString());
        String json = Files.readString(status);
        assertTrue(json.startsWith("{\"status\":\"UP\",\"outcome\":\"allow\"") && json.endsWith("}\n")
                && json.indexOf('\n') == json.length() - 1, json);
        Run refused = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + status).preload("libmtuner_standin.so").run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        String down = Files.readString(status);
        assertTrue(down.startsWith("{\"status\":\"DOWN\",\"outcome\":\"refuse\""), down);
        assertTrue(down.contains("exit status 78"), down);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temporary file left beside it");
        }
        Run unwritable = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + dir.resolve("no/such/dir/s.json")).run();
        assertEquals(0, unwritable.exitStatus(), unwritable.toString());
        assertTrue(unwritable.mainRan());
    }

    @Test
    void wideningTheBindAddressIsWarnedAbout() throws Exception {
        Jdk jdk = Jdk.all().findFirst().orElseThrow();
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,health.bind=0.0.0.0,health.port=" + freePort())
                .main(MBeanApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN health endpoint bound to 0.0.0.0, which is not a loopback"),
                run.toString());
        assertFalse(run.stderr().contains("Exception"), run.toString());
    }
}
