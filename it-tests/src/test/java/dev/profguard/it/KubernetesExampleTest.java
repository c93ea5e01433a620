package dev.profguard.it;

import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.SleepingApp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * packaging/kubernetes/deployment.yaml taken at its word: the application container's
 * environment starts a real guarded JVM (through the container entrypoint, on JDK 25 as the
 * example image), and the sidecar's readiness command runs as written (only the volume's path
 * moved into the test's directory). Also the launch script of packaging/bin.
 */
class KubernetesExampleTest extends JvmTest {
    static final Path PACKAGING = Jvm.AGENT.getParent().getParent().getParent().resolve("packaging");
    static final String VOLUME = "/run/profguard";

    private static String yaml() throws IOException {
        return Files.readString(PACKAGING.resolve("kubernetes/deployment.yaml"));
    }

    /** The part of the yaml from "- name: CONTAINER" to the next container (or the volumes). */
    private static String container(String name) throws IOException {
        String yaml = yaml();
        int start = yaml.indexOf("        - name: " + name + "\n");
        assertTrue(start >= 0, "container " + name + " in deployment.yaml");
        int end = yaml.indexOf("\n        - name: ", start + 1);
        int volumes = yaml.indexOf("\n      volumes:", start);
        return yaml.substring(start, end > 0 && end < volumes ? end : volumes);
    }

    /** The env of a container, in order. */
    private static Map<String, String> env(String container) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher m = Pattern.compile("- name: ([A-Z_]+)\\n\\s+value: (.*)").matcher(container);
        while (m.find()) {
            String value = m.group(2).strip();
            env.put(m.group(1), value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
        }
        return env;
    }

    /** The exec command of a probe: a flow sequence of JSON strings, as Kubernetes reads it. */
    private static List<String> execCommand(String container, String probe) {
        Matcher m = Pattern.compile(probe + ":\\s*\\n\\s*exec:\\s*\\n\\s*command: \\[(.*)\\]").matcher(container);
        assertTrue(m.find(), "no exec " + probe + " in\n" + container);
        List<String> command = new ArrayList<>();
        Matcher item = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (item.find()) {
            command.add(item.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return command;
    }

    private static int exec(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return process.exitValue();
    }

    /** The orders container's JVM, started through the entrypoint with the yaml's env (and overrides). */
    private RunningJvm orders(Path volume, Map<String, String> overrides) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env(container("orders")).entrySet()) {
            env.put(e.getKey(), e.getValue().replace(VOLUME, volume.toString()));
        }
        env.put("PROFGUARD_AGENT", Jvm.AGENT.toString());
        env.putAll(overrides);
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        List<String> command = List.of("dash", EntrypointTest.ENTRYPOINT.toString(), jdk25.java().toString(),
                "-cp", Jvm.codeSource(HelloApp.class).toString(), SleepingApp.class.getName());
        return new RunningJvm(command, env, dir);
    }

    private List<String> readiness(Path volume) throws IOException {
        List<String> command = new ArrayList<>();
        for (String arg : execCommand(container("profguard-readiness"), "readinessProbe")) {
            command.add(arg.replace(VOLUME, volume.toString()));
        }
        return command;
    }

    private static List<String> profguardLines(RunningJvm jvm) throws IOException {
        return jvm.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
    }

    @Test
    void aCleanProductionPodStartsQuietlyIsReadyAndNotReadyOnceStopped() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("run-profguard"));
        List<String> readiness = readiness(volume);
        assertEquals("grep", readiness.get(0), "no shell: the command runs as it is");
        assertEquals(2, exec(readiness), "before the JVM starts there is no status file: not ready");
        try (RunningJvm jvm = orders(volume, Map.of())) {
            assertTrue(jvm.stdout().contains(HelloApp.MARKER), jvm.stderr());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (exec(readiness) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, exec(readiness), "ready, as written");
            assertEquals(List.of(), profguardLines(jvm), "a clean production start prints nothing");
            jvm.send("");
            assertEquals(0, jvm.await());
        }
        assertEquals(1, exec(readiness), "the JVM ended: its status file says STOPPED, not ready");
    }

    @Test
    void anActiveClientInProductionTakesThePodOutOfServiceWithoutARestart() throws Exception {
        Path volume = Files.createDirectories(dir.resolve("run-profguard"));
        List<String> readiness = readiness(volume);
        String client = Jvm.fixture("libmtuner_standin.so").toString();
        // As written (action=neutralize): the client is switched off in place, the pod stays ready.
        try (RunningJvm jvm = orders(volume, Map.of("LD_PRELOAD", client))) {
            awaitStatusFile(volume);
            assertEquals(0, exec(readiness), "switched off: ready\n" + Files.readString(volume.resolve("status.json")));
            List<String> lines = profguardLines(jvm);
            assertEquals(1, lines.size(), jvm.stderr());
            assertTrue(lines.get(0).startsWith("profguard: WARN MTuner's client (rmem) found in this JVM"), lines.get(0));
        }
        Files.delete(volume.resolve("status.json"));
        // action=warn leaves it active: not ready, and the JVM keeps running (no liveness involved).
        try (RunningJvm jvm = orders(volume, Map.of("LD_PRELOAD", client, "PROFGUARD_ACTION", "warn"))) {
            awaitStatusFile(volume);
            assertEquals(1, exec(readiness), Files.readString(volume.resolve("status.json")));
            assertTrue(jvm.process.isAlive(), "still running: only readiness follows the guard");
        }
    }

    private static void awaitStatusFile(Path volume) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(volume.resolve("status.json")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(volume.resolve("status.json")));
    }

    @Test
    void thePodIsOneAPlatformTeamWouldDeploy() throws Exception {
        String yaml = yaml();
        String orders = container("orders");
        String sidecar = container("profguard-readiness");
        assertTrue(orders.contains("livenessProbe:\n            httpGet:\n              path: /actuator/health/liveness"),
                "the application keeps its own liveness probe");
        assertTrue(orders.contains("readinessProbe:\n            httpGet:\n              path: /actuator/health/readiness"),
                "and its own readiness probe");
        assertFalse(sidecar.contains("livenessProbe"), "the guard never feeds liveness: no restart loop");
        assertFalse(yaml.contains("\"sh\""), "no shell needed");
        for (String container : List.of(orders, sidecar)) {
            assertTrue(container.contains("readOnlyRootFilesystem: true"), container);
            assertTrue(container.contains("allowPrivilegeEscalation: false"), container);
            assertTrue(container.contains("resources:\n            requests:"), container);
            assertTrue(container.contains("limits:"), container);
        }
        assertTrue(yaml.contains("runAsNonRoot: true"));
        assertTrue(orders.contains("mountPath: /tmp") && orders.contains("mountPath: " + VOLUME),
                "the writable volumes: java.io.tmpdir and the guard's own");
        assertEquals(VOLUME, env(orders).get("PROFGUARD_PROBE_DIR"));
        assertTrue(yaml.contains("- name: tmp\n          emptyDir:") && yaml.contains("- name: profguard\n          emptyDir:"));
    }

    @Test
    void theSystemdUnitStartsQuietly() throws Exception {
        // ExecStart and Environment of packaging/systemd/orders.service, paths moved into the test's directory.
        String unit = Files.readString(PACKAGING.resolve("systemd/orders.service"));
        Matcher exec = Pattern.compile("(?m)^ExecStart=(\\S+) (.*) -jar \\S+$").matcher(unit);
        assertTrue(exec.find(), unit);
        List<String> command = new ArrayList<>(List.of("dash", PACKAGING.resolve("bin/run-guarded").toString()));
        command.addAll(List.of(exec.group(2).split(" ")));
        command.addAll(List.of("-cp", Jvm.codeSource(HelloApp.class).toString(), HelloApp.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("APP_ENV")
                || k.equals("LD_PRELOAD") || k.equals("JAVA_TOOL_OPTIONS"));
        Matcher env = Pattern.compile("(?m)^Environment=([A-Z_]+)=(\\S+)$").matcher(unit);
        while (env.find()) {
            builder.environment().put(env.group(1), env.group(2).replace("/run/orders", dir.toString()));
        }
        builder.environment().put("PROFGUARD_AGENT", Jvm.AGENT.toString());
        builder.environment().put("JAVA", Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow()
                .java().toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes());
        String err = new String(process.getErrorStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), err);
        assertTrue(out.contains(HelloApp.MARKER));
        assertEquals("", err, "a clean production start under the unit prints nothing");
        assertTrue(Files.readString(dir.resolve("profguard-status.json")).startsWith("{\"status\":\"STOPPED\""));
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
