package dev.profguard.it;

import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.SleepingApp;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar profguard-agent.jar check} against real running JVMs. */
class CheckCommandTest extends JvmTest {
    /** Output and status of one check command. */
    record Result(int status, String stdout, String stderr) {
    }

    private Result check(Jdk jdk, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString(), "check"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("LD_PRELOAD") || k.equals("APP_ENV"));
        Path out = dir.resolve("check.out");
        Path err = dir.resolve("check.err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A running JVM without the agent, with the given environment; stopped after the test body. */
    private void withRunningJvm(Jdk jdk, Map<String, String> env, ThrowingConsumer<Long> body) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(jdk.java().toString(), "-cp", Jvm.codeSource(HelloApp.class).toString(),
                SleepingApp.class.getName()).directory(dir.toFile());
        builder.environment().putAll(env);
        Path out = dir.resolve("app.out");
        Process app = builder.redirectOutput(out.toFile()).redirectError(dir.resolve("app.err").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(out).contains(HelloApp.MARKER) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            body.accept(app.pid());
        } finally {
            try (OutputStream stdin = app.getOutputStream()) {
                stdin.write('\n');
            } catch (Exception e) {
                // already gone
            }
            app.destroyForcibly().waitFor();
        }
    }

    interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }

    @OnEachJdk
    void findsThePreloadedClientInAnotherJvm(Jdk jdk) throws Exception {
        Path lib = Files.copy(Jvm.fixture("libmtuner_standin.so"), dir.resolve("libcompress-helper.so"));
        withRunningJvm(jdk, Map.of("LD_PRELOAD", lib.toString(), "APP_ENV", "production"), pid -> {
            Result json = check(jdk, "--pid", Long.toString(pid), "--format", "json");
            assertEquals(1, json.status(), json.toString());
            String line = json.stdout().strip();
            assertTrue(line.startsWith("{\"version\":\"") && line.endsWith("}") && !line.contains("\n"), line);
            assertTrue(line.contains("\"status\":\"found\""), line);
            assertTrue(line.contains("\"pid\":" + pid), line);
            assertTrue(line.contains("\"profiler\":\"MTuner's client (rmem)\""), line);
            assertTrue(line.contains("\"path\":\"" + lib + "\""), line);
            assertTrue(line.contains("\"env\":\"production\",\"production\":true,\"guarded\":false,"), line);
            assertTrue(line.contains("\"verdict\":\"refuse\""),
                    "the tag comes from the target's own APP_ENV: " + line);
            Result text = check(jdk, "--pid", Long.toString(pid));
            assertEquals(1, text.status());
            assertTrue(text.stdout().startsWith("profguard: profiler client found in process " + pid + ": "), text.stdout());
        });
    }

    @OnEachJdk
    void cleanJvmIsClean(Jdk jdk) throws Exception {
        withRunningJvm(jdk, Map.of(), pid -> {
            Result result = check(jdk, "--pid", Long.toString(pid), "--env", "production");
            assertEquals(0, result.status(), result.toString());
            assertEquals("profguard: process " + pid + " is clean\n", result.stdout());
        });
    }

    @OnEachJdk
    void missingProcessAndBadArgumentsExit2(Jdk jdk) throws Exception {
        Result missing = check(jdk, "--pid", "999999999", "--format", "json");
        assertEquals(2, missing.status(), missing.toString());
        assertTrue(missing.stdout().contains("\"status\":\"error\"") && missing.stdout().contains("no such process"));
        Result bad = check(jdk, "--pid", "abc");
        assertEquals(2, bad.status());
        assertTrue(bad.stderr().startsWith("profguard: --pid takes a process id, not 'abc'\nusage: "), bad.stderr());
        Result unknown = check(jdk, "--frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.stderr().startsWith("profguard: unknown argument '--frobnicate'"), unknown.stderr());
    }

    @OnEachJdk
    void withoutPidItChecksTheEnvironmentItRunsIn(Jdk jdk) throws Exception {
        List<String> command = List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString(), "check");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("LD_PRELOAD", Jvm.fixture("libcompress-helper.so").toString());
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.startsWith("profguard: profiler client found in this environment"), output);
    }
}
