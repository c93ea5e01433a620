package dev.profguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.PauseApp;
import dev.profguard.it.app.SleepingApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code check --all} over real JVMs: guarded and not, clean and with the stand-in client, one
 * run as another user, one in a mount namespace of its own whose file under a name differs from
 * the checker's. Each test has a host of its own, a PID namespace ({@code unshare --pid
 * --mount-proc}, as root), so that its /proc lists only what it started there.
 */
class FleetTest extends JvmTest {
    static final String NOBODY = "65534";

    /** A PID and mount namespace whose pid 1 is a sleep; killing it ends everything inside. */
    static final class Host implements AutoCloseable {
        final Process unshare;
        final long init;

        Host() throws Exception {
            unshare = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--propagation", "private",
                    "sleep", "600").redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long found = -1;
            while (found < 0 && System.nanoTime() < deadline) {
                // the child once it runs sleep: its namespaces and its /proc are set up by then
                found = unshare.toHandle().children().filter(c -> c.info().command().orElse("").endsWith("/sleep"))
                        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
                Thread.sleep(20);
            }
            assertTrue(found > 0, "unshare started no sleep");
            init = found;
        }

        /** The prefix that runs a command inside. */
        List<String> enter() {
            return List.of("nsenter", "--target", Long.toString(init), "--pid", "--mount");
        }

        @Override
        public void close() throws Exception {
            ProcessHandle.of(init).ifPresent(ProcessHandle::destroyForcibly); // pid 1 gone: the kernel ends all inside
            unshare.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A JVM on {@code jdk} inside the host, started through a link named {@code name} to its java
     * (so its comm is that name), running PauseApp long enough for the test, or {@code main}.
     */
    private RunningJvm start(Host host, Jdk jdk, String name, boolean guarded, Map<String, String> env, List<String> wrapper)
            throws Exception {
        return start(host, jdk, name, guarded, env, wrapper, PauseApp.class, "300000");
    }

    private RunningJvm start(Host host, Jdk jdk, String name, boolean guarded, Map<String, String> env, List<String> wrapper,
                             Class<?> main, String... args) throws Exception {
        Path link = dir.resolve(name); // a link to java, removed in cleanUp
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, jdk.java());
        }
        Jvm jvm = Jvm.on(jdk, dir).main(main, args);
        if (!guarded) {
            jvm.noAgentOption();
        }
        List<String> command = new ArrayList<>(host.enter());
        command.addAll(wrapper);
        // The variables reach the JVM through env(1), after nsenter: a preloaded library that starts a
        // thread would make nsenter itself multithreaded, and setns(2) refuses those (EINVAL).
        command.add("env");
        env.forEach((variable, value) -> command.add(variable + "=" + value));
        List<String> java = jvm.command();
        command.add(link.toString());
        command.addAll(java.subList(1, java.size()));
        RunningJvm running = new RunningJvm(command, Map.of(), dir);
        assertTrue(running.stdout().contains(HelloApp.MARKER), name + " did not start: " + running.stderr());
        return running;
    }

    /** {@code java -jar profguard-agent.jar check ARGS} run inside the host, with a prefix (setpriv). */
    private AgentCommand check(Host host, Jdk jdk, List<String> wrapper, String... args) throws Exception {
        List<String> prefix = new ArrayList<>(host.enter());
        prefix.addAll(wrapper);
        List<String> command = new ArrayList<>(List.of("check"));
        command.addAll(List.of(args));
        return AgentCommand.run(prefix, jdk, dir, command.toArray(String[]::new));
    }

    /** The JSON object of the process named {@code name} in check --all's JSON. */
    static String entry(String json, String name) {
        for (String part : json.split("(?=\\{\"pid\":)")) {
            if (part.contains(",\"name\":\"" + name + "\",")) {
                return part;
            }
        }
        throw new AssertionError("no process named " + name + " in " + json);
    }

    static List<String> asNobody() {
        return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups");
    }

    static void stop(RunningJvm jvm) throws Exception {
        jvm.process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        jvm.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    @OnEachJdk
    void judgesEveryJvmOfTheHostAsCheckPidDoesAndListsWhatItMayNotRead(Jdk jdk) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // for nobody's JVM
        Path client = Jvm.fixture("libcompress-helper.so"); // the stand-in client under a harmless name
        Path hidden = Files.createDirectories(dir.resolve("hide"));
        Files.copy(Jvm.fixture("libbenign.so"), hidden.resolve("libcompress-helper.so")); // what the checker's namespace has there
        String mountClient = "mount -t tmpfs none \"$1\" && cp \"$2\" \"$1/libcompress-helper.so\" && shift 2 && exec \"$@\"";
        try (Host host = new Host()) {
            RunningJvm guarded = start(host, jdk, "svc-guarded", true, Map.of("APP_ENV", "production"), List.of());
            RunningJvm plain = start(host, jdk, "svc-plain", false, Map.of(), List.of());
            RunningJvm withClient = start(host, jdk, "svc-client", false, Map.of("APP_ENV", "production",
                    "LD_PRELOAD", client.toString(), "DB_PASSWORD", "hunter2-secret"), List.of());
            RunningJvm nobody = start(host, jdk, "svc-nobody", false, Map.of(), asNobody());
            RunningJvm elsewhere = start(host, jdk, "svc-elsewhere", false, Map.of("APP_ENV", "production",
                    "LD_PRELOAD", hidden.resolve("libcompress-helper.so").toString()),
                    List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", mountClient, "sh",
                            hidden.toString(), client.toString()));

            AgentCommand json = check(host, jdk, List.of(), "--all", "--format", "json");
            assertEquals(1, json.status(), "a client in any JVM: exit status 1\n" + json);
            String out = json.stdout().strip();
            assertFalse(out.contains("\n"), "one JSON object on one line");
            assertTrue(out.startsWith("{\"version\":\"") && out.contains("\"status\":\"found\",\"exit_status\":1,"), out);
            assertTrue(out.contains("\"jvms\":5,\"not_inspected\":0,"), "five JVMs, the sleep is not one: " + out);
            assertFalse(out.contains("hunter2-secret"), "no value of another process's environment is shown");

            String found = entry(out, "svc-client");
            assertTrue(found.contains("\"uid\":0,") && found.contains("\"inspection\":\"judged\""), found);
            assertTrue(found.contains("/libjvm.so\""), "known as a JVM by what it maps: " + found);
            assertTrue(found.contains("\"status\":\"found\",\"exit_status\":1,") && found.contains("\"verdict\":\"refuse\"")
                    && found.contains("\"env\":\"production\",\"production\":true,\"guarded\":false,"), found);
            assertTrue(found.contains("\"path\":\"" + client + "\""), found);
            String nsPid = found.replaceAll("^\\{\"pid\":(\\d+),.*", "$1");
            AgentCommand one = check(host, jdk, List.of(), "--pid", nsPid, "--format", "json");
            assertEquals(1, one.status(), one.toString());
            String single = one.stdout().strip();
            String judged = single.substring(single.indexOf(",\"status\":"), single.length() - 1);
            assertTrue(found.contains(judged), "the same judgement as check --pid, field for field:\n" + judged + "\n" + found);

            // The same round as SARIF: the client's findings are results of its rule at its verdict's level, in its process.
            AgentCommand sarif = check(host, jdk, List.of(), "--all", "--format", "sarif");
            assertEquals(1, sarif.status(), sarif.toString());
            assertFalse(sarif.stdout().contains("hunter2-secret"), "no value of another process's environment is shown");
            JsonNode run = SarifReportTest.valid(sarif.stdout()).get("runs").get(0);
            assertEquals("mtuner-client", run.get("tool").get("driver").get("rules").get(0).get("id").asText());
            assertTrue(run.get("invocations").get(0).get("executionSuccessful").asBoolean(), "every process inspected");
            assertEquals(1, run.get("invocations").get(0).get("exitCode").asInt());
            List<JsonNode> clientResults = results(run, "svc-client");
            assertFalse(clientResults.isEmpty(), run.toString());
            for (JsonNode each : clientResults) {
                assertEquals("mtuner-client", each.get("ruleId").asText(), each.toString());
                assertEquals("error", each.get("level").asText(), "its verdict is refuse: " + each);
                String process = each.get("locations").get(0).get("logicalLocations").get(0).get("fullyQualifiedName").asText();
                assertTrue(process.matches("pid " + nsPid + " \\(started 20\\d\\d-\\d\\d-\\d\\dT[0-9:]+Z, cmd svc-client\\)"), process);
            }
            assertTrue(clientResults.stream().anyMatch(r -> r.get("locations").get(0).get("physicalLocation")
                    .get("artifactLocation").get("uri").asText().equals("file://" + client)), clientResults.toString());
            assertTrue(results(run, "svc-plain").isEmpty() && results(run, "svc-guarded").isEmpty(), "clean JVMs: no result");
            AgentCommand oneSarif = check(host, jdk, List.of(), "--pid", nsPid, "--format", "sarif");
            assertEquals(1, oneSarif.status(), oneSarif.toString());
            assertEquals(clientResults, results(SarifReportTest.valid(oneSarif.stdout()).get("runs").get(0), "svc-client"),
                    "check --pid writes the same results for it");

            assertTrue(entry(out, "svc-guarded").contains("\"status\":\"clean\",\"exit_status\":0,\"message\":\"profguard: process ")
                    && entry(out, "svc-guarded").contains("\"env\":\"production\",\"production\":true,\"guarded\":true,"), out);
            assertTrue(entry(out, "svc-plain").contains("\"status\":\"clean\"") && entry(out, "svc-plain").contains("\"guarded\":false"), out);
            String other = entry(out, "svc-nobody");
            assertTrue(other.contains("\"uid\":" + NOBODY + ",") && other.contains("\"status\":\"clean\""), other);
            String elsewhereEntry = entry(out, "svc-elsewhere");
            assertTrue(elsewhereEntry.contains("\"status\":\"found\"") && elsewhereEntry.contains("rmemInit"),
                    "judged on the file in its own mount namespace, not on the checker's file of that name: " + elsewhereEntry);

            AgentCommand table = check(host, jdk, List.of(), "--all");
            assertEquals(1, table.status(), table.toString());
            List<String> lines = table.stdout().lines().toList();
            assertTrue(lines.get(0).matches("PID +UID +NAME +STATUS +VERDICT +GUARDED +ENV +MESSAGE"), lines.get(0));
            assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ +0 +svc-client +found +refuse +no +production +profiler client found in process \\d+: .*")), table.stdout());
            assertTrue(lines.stream().anyMatch(l -> l.matches("\\d+ +" + NOBODY + " +svc-nobody +clean +allow +no +- +process \\d+ is clean")), table.stdout());
            assertEquals("profguard: 5 JVMs judged among " + countProcesses(out) + " processes: 2 with a profiler client (or a sign of one), "
                    + "0 processes not inspected, 0 exited while judged", lines.get(lines.size() - 1));

            Path textfile = dir.resolve("profguard.prom");
            AgentCommand round = check(host, jdk, List.of(), "--all", "--textfile", textfile.toString());
            assertEquals(1, round.status(), round.toString());
            String metrics = Files.readString(textfile);
            Http.assertValidMetrics(metrics, dir);
            assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_exit_status\\{pid=\"\\d+\",name=\"svc-client\",uid=\"0\"} 1\n.*"), metrics);
            assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_guarded\\{pid=\"\\d+\",name=\"svc-guarded\",uid=\"0\"} 1\n.*"), metrics);
            assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_findings\\{pid=\"\\d+\",name=\"svc-client\",uid=\"0\",rule=\"mtuner-client\",strength=\"strong\"} \\d+\n.*"), metrics);
            assertTrue(metrics.contains("\nprofguard_fleet_jvms 5\n") && metrics.contains("\nprofguard_fleet_exit_status 1\n"), metrics);

            // Another user sees root's JVMs listed as not inspected, never passed over; its own is judged.
            AgentCommand unprivileged = check(host, jdk, asNobody(), "--all", "--format", "json");
            assertEquals(2, unprivileged.status(), "nothing found that it could read, some it could not: 2\n" + unprivileged);
            String seen = unprivileged.stdout();
            String rootJvm = entry(seen, "svc-client");
            assertTrue(rootJvm.contains("\"inspection\":\"not_inspected\"") && rootJvm.contains("\"exit_status\":2,")
                    && rootJvm.contains("permission denied reading /proc/"), rootJvm);
            assertTrue(entry(seen, "svc-nobody").contains("\"status\":\"clean\""), seen);
            AgentCommand blindSarif = check(host, jdk, asNobody(), "--all", "--format", "sarif");
            assertEquals(2, blindSarif.status(), blindSarif.toString());
            JsonNode blindRun = SarifReportTest.valid(blindSarif.stdout()).get("runs").get(0);
            assertEquals(0, blindRun.get("results").size(), "nothing found in what it could read: " + blindRun);
            JsonNode invocation = blindRun.get("invocations").get(0);
            assertFalse(invocation.get("executionSuccessful").asBoolean(), invocation.toString());
            assertEquals(2, invocation.get("exitCode").asInt());
            boolean listed = false;
            for (JsonNode notification : invocation.get("toolExecutionNotifications")) {
                String process = notification.get("locations").get(0).get("logicalLocations").get(0).get("fullyQualifiedName").asText();
                listed |= process.startsWith("pid " + nsPid + " (") && process.endsWith(", cmd svc-client)")
                        && notification.get("level").asText().equals("error") && notification.get("message").get("text").asText()
                        .startsWith("profguard: process " + nsPid + " (svc-client) not inspected: permission denied reading /proc/");
            }
            assertTrue(listed, "the client's JVM, which it may not read, is a notification: " + invocation);

            stop(withClient);
            stop(elsewhere);
            AgentCommand clean = check(host, jdk, List.of(), "--all");
            assertEquals(0, clean.status(), "all clean, all inspected\n" + clean);
            guarded.close();
            plain.close();
            nobody.close();
        }
    }

    @Test
    void repeatedRoundsKeepAJudgementOnlyWhileNothingItReadsChanged() throws Exception {
        Jdk jdk = Jdk.all().findFirst().orElseThrow();
        Path trigger = dir.resolve("load-the-client-now");
        Path textfile = dir.resolve("fleet.prom");
        try (Host host = new Host()) {
            start(host, jdk, "svc-steady", false, Map.of(), List.of());
            // Loads the client with dlopen once the trigger file exists: its maps change between rounds.
            start(host, jdk, "svc-late", false, Map.of("APP_ENV", "production",
                    "LD_PRELOAD", Jvm.fixture("liblate-dlopen.so").toString(),
                    "LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString(),
                    "LATE_DLOPEN_TRIGGER", trigger.toString()), List.of(), SleepingApp.class); // creates no trigger
            List<String> command = new ArrayList<>(host.enter());
            command.addAll(List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString(), "check", "--all", "--every", "1s",
                    "--textfile", textfile.toString()));
            Path out = dir.resolve("rounds.out");
            Process rounds = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            try {
                awaitLine(out, "2 JVMs judged among .*: 0 with a profiler client.*2 judgements kept\\)");
                Files.createFile(trigger);
                awaitLine(out, "2 JVMs judged among .*: 1 with a profiler client.*");
                String metrics = Files.readString(textfile);
                Http.assertValidMetrics(metrics, dir);
                assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_exit_status\\{pid=\"\\d+\",name=\"svc-late\",uid=\"0\"} 1\n.*"),
                        "the changed JVM was judged again: " + metrics);
                assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_exit_status\\{pid=\"\\d+\",name=\"svc-steady\",uid=\"0\"} 0\n.*"), metrics);
            } finally {
                rounds.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                rounds.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits (at most 30 s) for a line of {@code out} matching {@code regex}. */
    static void awaitLine(Path out, String regex) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.readString(out).lines().anyMatch(l -> pattern.matcher(l).find())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no round matched " + regex + ":\n" + Files.readString(out));
    }

    /** The exec command of the DaemonSet's container: a flow sequence of JSON strings, as Kubernetes reads it. */
    static List<String> daemonSetCommand(String yaml) {
        Matcher m = Pattern.compile("\n {10}command: \\[(.*)\\]\n").matcher(yaml);
        assertTrue(m.find(), "no command in\n" + yaml);
        List<String> command = new ArrayList<>();
        Matcher item = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (item.find()) {
            command.add(item.group(1));
        }
        return command;
    }

    @Test
    void theDaemonSetCommandRunsAsWrittenWithOnlyItsTwoCapabilities() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path packaging = KubernetesExampleTest.PACKAGING.resolve("kubernetes");
        String yaml = Files.readString(packaging.resolve("fleet-daemonset.yaml"));
        assertTrue(yaml.contains("      hostPID: true\n"), "the node's processes");
        assertTrue(yaml.contains("            readOnlyRootFilesystem: true\n")
                && yaml.contains("            allowPrivilegeEscalation: false\n")
                && yaml.contains("              drop: [\"ALL\"]\n"), yaml);
        Matcher added = Pattern.compile("\n {14}add: \\[\"([A-Z_]+)\", \"([A-Z_]+)\"\\]\n").matcher(yaml);
        assertTrue(added.find(), yaml);
        String capabilities = "-all,+" + added.group(1).toLowerCase() + ",+" + added.group(2).toLowerCase();
        assertEquals("-all,+sys_ptrace,+dac_read_search", capabilities);
        Matcher mount = Pattern.compile("mountPath: (/\\S+)\n").matcher(yaml);
        assertTrue(mount.find());
        Path textfiles = Files.createDirectories(dir.resolve("textfile"));
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        List<String> command = new ArrayList<>();
        for (String arg : daemonSetCommand(yaml)) {
            command.add(arg.equals("java") ? jdk25.java().toString()
                    : arg.replace("/opt/profguard/profguard-agent.jar", Jvm.AGENT.toString()).replace(mount.group(1), textfiles.toString()));
        }
        assertEquals(List.of("check", "--all", "--every", "60s", "--textfile"), command.subList(command.size() - 6, command.size() - 1));
        Path textfile = Path.of(command.get(command.size() - 1));
        assertEquals(textfiles, textfile.getParent(), "written in the mounted directory");
        // root with the container's capabilities only, no new privileges (allowPrivilegeEscalation: false)
        List<String> container = List.of("setpriv", "--bounding-set=" + capabilities, "--inh-caps=-all", "--no-new-privs");
        try (Host host = new Host()) {
            start(host, jdk25, "svc-nobody", false, Map.of(), asNobody());
            start(host, jdk25, "svc-client", false, Map.of("APP_ENV", "production",
                    "LD_PRELOAD", Jvm.fixture("libcompress-helper.so").toString()), List.of());
            List<String> inside = new ArrayList<>(host.enter());
            inside.addAll(container);
            inside.addAll(command);
            Process daemon = new ProcessBuilder(inside).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.out").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(textfile) && daemon.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(Files.exists(textfile), "no textfile after the first round: " + Files.readString(dir.resolve("daemon.out")));
                String metrics = Files.readString(textfile);
                Http.assertValidMetrics(metrics, dir);
                assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_exit_status\\{pid=\"\\d+\",name=\"svc-nobody\",uid=\"" + NOBODY
                        + "\"} 0\n.*"), "another user's JVM judged with SYS_PTRACE: " + metrics);
                assertTrue(metrics.matches("(?s).*\nprofguard_fleet_jvm_exit_status\\{pid=\"\\d+\",name=\"svc-client\",uid=\"0\"} 1\n.*"), metrics);
                assertTrue(metrics.contains("\nprofguard_fleet_processes_not_inspected 0\n"), metrics);
                try (var left = Files.list(textfiles)) {
                    assertEquals(List.of(textfile), left.toList(), "renamed into place: no temporary file left");
                }
                assertTrue(daemon.isAlive(), "it goes on, round after round");
            } finally {
                daemon.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            // Without SYS_PTRACE, root reads neither the other user's JVM nor root's own processes, which hold
            // capabilities it lacks: each listed as not inspected, exit status 2.
            AgentCommand blind = check(host, jdk25, List.of("setpriv", "--bounding-set=-all,+dac_read_search", "--inh-caps=-all"),
                    "--all", "--format", "json");
            assertEquals(2, blind.status(), blind.toString());
            for (String name : List.of("svc-nobody", "svc-client")) {
                assertTrue(entry(blind.stdout(), name).contains("\"inspection\":\"not_inspected\""), blind.toString());
            }
        }
    }

    @Test
    void theAlertingRulesAreValidAndFireOnAClientInAnyJvm() throws Exception {
        Promtool.assertRulesPass(dir, KubernetesExampleTest.PACKAGING.resolve("kubernetes/profguard-fleet.rules.yaml"),
                "  - interval: 1m",
                "    input_series:",
                "      - series: 'profguard_fleet_jvm_exit_status{instance=\"node-1\",pid=\"4242\",name=\"java\",uid=\"1000\"}'",
                "        values: '0 0 1 1 1 1'",
                "      - series: 'profguard_fleet_processes_not_inspected{instance=\"node-1\"}'",
                "        values: '0x5'",
                "      - series: 'profguard_fleet_round_timestamp_seconds{instance=\"node-1\"}'",
                "        values: '0+60x5'",
                "    alert_rule_test:",
                "      - eval_time: 1m",
                "        alertname: ProfilerClientInJvm",
                "        exp_alerts: []",
                "      - eval_time: 3m",
                "        alertname: ProfilerClientInJvm",
                "        exp_alerts:",
                "          - exp_labels: {severity: critical, instance: node-1, pid: '4242', name: java, uid: '1000'}",
                "            exp_annotations:",
                "              summary: 'Native memory profiler client in JVM 4242 (java) on node-1'",
                "              description: 'profguard check --all found a profiler client (or a sign of one) in process 4242. "
                        + "Run `java -jar profguard-agent.jar check --pid 4242` on the node for the evidence.'",
                "      - eval_time: 5m",
                "        alertname: ProfguardFleetStale",
                "        exp_alerts: []",
                "      - eval_time: 5m",
                "        alertname: ProfguardFleetBlind",
                "        exp_alerts: []");
    }

    /** The links to java the JVMs were started through (JUnit warns about links leading out of its directory). */
    @org.junit.jupiter.api.AfterEach
    void cleanUp() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (Files.isSymbolicLink(file)) {
                    Files.delete(file);
                }
            }
        }
    }

    /** The results of check --format sarif placed in the process named {@code name}. */
    static List<JsonNode> results(JsonNode run, String name) {
        List<JsonNode> results = new ArrayList<>();
        for (JsonNode each : run.get("results")) {
            if (each.get("locations").get(0).get("logicalLocations").get(0).get("fullyQualifiedName").asText()
                    .endsWith(", cmd " + name + ")")) {
                results.add(each);
            }
        }
        return results;
    }

    /** processes_seen of check --all's JSON. */
    static String countProcesses(String json) {
        Matcher m = Pattern.compile("\"processes_seen\":(\\d+),").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }
}
