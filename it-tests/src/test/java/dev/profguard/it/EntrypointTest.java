package dev.profguard.it;

import dev.profguard.it.app.HelloApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** packaging/profguard-entrypoint.sh, run by dash as a container would run it. */
class EntrypointTest extends JvmTest {
    static final Path ENTRYPOINT = Jvm.AGENT.getParent().getParent().getParent().resolve("packaging/profguard-entrypoint.sh");

    record Result(long pid, int status, String stdout, String stderr) {
    }

    private Result entrypoint(Map<String, String> env, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("dash", ENTRYPOINT.toString()));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("LD_PRELOAD")
                || k.equals("APP_ENV") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("ENVIRONMENT") || k.equals("DEPLOY_ENV"));
        builder.environment().put("PROFGUARD_AGENT", Jvm.AGENT.toString());
        builder.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.pid(), process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void execsTheCommandInItsOwnPlaceAndAddsTheAgentOnce() throws Exception {
        Result first = entrypoint(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"), "sh", "-c", "echo \"$$|$JAVA_TOOL_OPTIONS\"");
        assertEquals(0, first.status(), first.toString());
        String[] seen = first.stdout().strip().split("\\|");
        assertEquals(Long.toString(first.pid()), seen[0], "exec: the command has the entrypoint's PID");
        assertEquals("-Xmx64m -javaagent:" + Jvm.AGENT, seen[1], "added once, what was there kept");
        Result again = entrypoint(Map.of("JAVA_TOOL_OPTIONS", seen[1]), "sh", "-c", "echo \"$JAVA_TOOL_OPTIONS\"");
        assertEquals(seen[1], again.stdout().strip(), "idempotent: given its own output, it adds nothing");
        Result withArgs = entrypoint(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + Jvm.AGENT + "=env=prod"), "sh", "-c",
                "echo \"$JAVA_TOOL_OPTIONS\"");
        assertEquals("-javaagent:" + Jvm.AGENT + "=env=prod", withArgs.stdout().strip());
        assertEquals("", first.stderr());
    }

    @Test
    void refusesAPreloadedClientInProductionBeforeStartingAnything() throws Exception {
        Path lib = Files.copy(Jvm.fixture("libhidden-helper.so"), dir.resolve("libz-helper.so"));
        Result refused = entrypoint(Map.of("APP_ENV", "Production", "LD_PRELOAD", lib.toString()), "touch", "started");
        assertEquals(78, refused.status(), refused.toString());
        assertFalse(Files.exists(dir.resolve("started")), "the command did not run");
        assertTrue(refused.stderr().startsWith("profguard: ERROR MTuner's client found in LD_PRELOAD=" + lib
                + " (env=production; production). Refusing to start: the command will not run, exit status 78."), refused.stderr());
        Result custom = entrypoint(Map.of("PROFGUARD_ENV", "live", "PROFGUARD_EXIT_CODE", "90",
                "LD_PRELOAD", Jvm.fixture("libmtuner_standin.so").toString()), "true");
        assertEquals(90, custom.status(), custom.toString());
    }

    @Test
    void productionTagsArePatternsAsInTheAgent() throws Exception {
        Path client = Jvm.fixture("libmtuner_standin.so");
        Result region = entrypoint(Map.of("APP_ENV", "prod-eu", "LD_PRELOAD", client.toString()), "touch", "started");
        assertEquals(78, region.status(), "prod-eu is production by default\n" + region);
        Result own = entrypoint(Map.of("APP_ENV", "eu-live", "PROFGUARD_PRODUCTION", "*-live", "LD_PRELOAD", client.toString()),
                "true");
        assertEquals(78, own.status(), own.toString());
        Files.writeString(dir.resolve("prod-x"), ""); // a pattern is never expanded against file names
        Result noGlobbing = entrypoint(Map.of("APP_ENV", "preprod", "PROFGUARD_PRODUCTION", "prod-*", "LD_PRELOAD",
                client.toString()), "true");
        assertEquals(0, noGlobbing.status(), noGlobbing.toString());
        Result off = entrypoint(Map.of("APP_ENV", "production", "PROFGUARD_ENABLED", "false", "LD_PRELOAD", client.toString()),
                "touch", "started");
        assertEquals(0, off.status(), "enabled=false: the entrypoint does not check either\n" + off);
        Result deferred = entrypoint(Map.of("APP_ENV", "production", "PROFGUARD_ACTION", "Neutralize", "LD_PRELOAD",
                client.toString()), "true");
        assertEquals(0, deferred.status(), "action=neutralize: the agent switches it off, the entrypoint lets it start\n" + deferred);
        assertEquals("", deferred.stderr());
        assertTrue(Files.exists(dir.resolve("started")));
    }

    @Test
    void theExampleImageStartsQuietly() throws Exception {
        // The ENV of packaging/Dockerfile.example, through the entrypoint, on JDK 25 as its base image.
        String dockerfile = Files.readString(ENTRYPOINT.getParent().resolve("Dockerfile.example"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?m)^ENV ((?:.*\\\n)*.*)$").matcher(dockerfile);
        assertTrue(block.find(), "an ENV block in Dockerfile.example");
        Map<String, String> env = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher pair = java.util.regex.Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)").matcher(block.group(1));
        Path run = java.nio.file.Files.createDirectories(dir.resolve("run-profguard"));
        while (pair.find()) {
            env.put(pair.group(1), pair.group(2).replace("\"", "").replace("/run/profguard", run.toString()));
        }
        assertEquals("-XX:-EnableDynamicAgentLoading", env.get("JAVA_TOOL_OPTIONS"), env.toString());
        env.put("PROFGUARD_HEALTH_PORT", Integer.toString(Http.freePort()));
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        Result result = entrypoint(env, jdk25.java().toString(), "-cp", Jvm.codeSource(HelloApp.class).toString(),
                HelloApp.class.getName());
        assertEquals(0, result.status(), result.toString());
        assertTrue(result.stdout().contains(HelloApp.MARKER));
        assertEquals(List.of(), result.stderr().lines().filter(l -> l.startsWith("profguard:")).toList(), result.stderr());
        assertTrue(Files.readString(run.resolve("status.json")).startsWith("{\"status\":\"STOPPED\",\"outcome\":\"allow\""));
    }

    @Test
    void warnsOutsideProductionAndStarts() throws Exception {
        Result run = entrypoint(Map.of("APP_ENV", "staging", "LD_PRELOAD", Jvm.fixture("libcompress-helper.so").toString()),
                "touch", "started");
        assertEquals(0, run.status(), run.toString());
        assertTrue(Files.exists(dir.resolve("started")));
        assertTrue(run.stderr().startsWith("profguard: WARN MTuner's client found in LD_PRELOAD="), run.stderr());
    }

    @Test
    void aMissingAgentJarIsAnErrorNotASilentSkip() throws Exception {
        Result missing = entrypoint(Map.of("PROFGUARD_AGENT", dir.resolve("absent.jar").toString()), "touch", "started");
        assertEquals(64, missing.status(), missing.toString());
        assertFalse(Files.exists(dir.resolve("started")));
        assertTrue(missing.stderr().startsWith("profguard: ERROR agent jar not found or not readable at "), missing.stderr());
        Result none = entrypoint(Map.of());
        assertEquals(64, none.status());
        Result badCode = entrypoint(Map.of("PROFGUARD_EXIT_CODE", "0"), "true");
        assertEquals(64, badCode.status(), badCode.toString());
    }

    @OnEachJdk
    void aRealJvmStartedThroughItIsGuarded(Jdk jdk) throws Exception {
        Result run = entrypoint(Map.of("APP_ENV", "production", "MTuner_Allocator", "1"), jdk.java().toString(),
                "-XX:+DisableAttachMechanism", "-cp", Jvm.codeSource(HelloApp.class).toString(), HelloApp.class.getName());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.stdout().contains(HelloApp.MARKER), run.toString());
        List<String> lines = run.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
        assertEquals(1, lines.size(), run.toString());
        assertTrue(lines.get(0).startsWith("profguard: WARN signs of MTuner's client"), lines.get(0));
    }
}
