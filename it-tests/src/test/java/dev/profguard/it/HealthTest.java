package dev.profguard.it;

import dev.profguard.it.Http.Answer;
import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.MBeanApp;
import dev.profguard.it.app.PauseApp;
import dev.profguard.it.app.ServeApp;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The health endpoint (/health, /health/liveness, /health/readiness, /metrics) over real HTTP,
 * the status file and the MXBean, in real guarded JVMs.
 */
class HealthTest extends JvmTest {
    /** A guarded ServeApp, running until closed; the library arguments are loaded after start-up. */
    private RunningJvm serve(Jdk jdk, String agentArgs, String preload, String... load) throws Exception {
        List<String> command = Jvm.on(jdk, dir).agentArgs(agentArgs).main(ServeApp.class, load).command();
        return new RunningJvm(command, preload == null ? Map.of() : Map.of("LD_PRELOAD", Jvm.fixture(preload).toString()), dir);
    }

    private static long sample(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\d+)$").matcher(metrics);
        assertTrue(m.find(), name + " in\n" + metrics);
        return Long.parseLong(m.group(1));
    }

    @OnEachJdk
    void upWhenCleanDownWhileAClientIsActiveUpAgainOnceSwitchedOff(Jdk jdk) throws Exception {
        int clean = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=production,health.port=" + clean, null)) {
            Answer answer = Http.get(clean, "/health");
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"allow\",\"env\":\"production\""), answer.body());
            assertTrue(answer.body().contains("\"version\":\"0."), answer.body());
            assertEquals("application/json", answer.contentType());
        }
        int active = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=production,action=warn,health.port=" + active, "libmtuner_standin.so")) {
            Answer answer = Http.get(active, "/health");
            assertEquals(503, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"DOWN\",\"outcome\":\"warn\""), answer.body());
            assertTrue(answer.body().contains("\"profiler\":\"MTuner's client (rmem)\""), answer.body());
            assertEquals(503, Http.get(active, "/health/readiness").status(), "a production JVM holding an active client");
        }
        int staging = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=staging,health.port=" + staging, "libmtuner_standin.so")) {
            Answer answer = Http.get(staging, "/health");
            assertEquals(200, answer.status(), "a client allowed outside production: UP, with the finding listed\n"
                    + answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"warn\""), answer.body());
            assertTrue(answer.body().contains("\"profiler\":\"MTuner's client (rmem)\""), answer.body());
            assertEquals(200, Http.get(staging, "/health/readiness").status(), "not production: readiness stays UP");
        }
        int neutralized = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=production,action=neutralize,health.port=" + neutralized, "libmtuner_standin.so")) {
            Answer answer = Http.get(neutralized, "/health");
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().startsWith("{\"status\":\"UP\",\"outcome\":\"neutralized\""), answer.body());
            String metrics = Http.get(neutralized, "/metrics").body();
            assertEquals(1, sample(metrics, "profguard_switch_offs_total"), metrics);
            assertEquals(0, sample(metrics, "profguard_client_active"), metrics);
            Http.assertValidMetrics(metrics, dir);
        }
    }

    @OnEachJdk
    void livenessStaysUpReadinessFollowsAnActiveClientInProduction(Jdk jdk) throws Exception {
        int port = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=production,action=warn,health.port=" + port, "libmtuner_standin.so")) {
            Answer live = Http.get(port, "/health/liveness");
            assertEquals(200, live.status(), "the guard runs: liveness never fails on a client");
            assertEquals("{\"status\":\"UP\"}\n", live.body());
            Answer ready = Http.get(port, "/health/readiness");
            assertEquals(503, ready.status(), "a production JVM holding an active client is not ready");
            assertEquals("{\"status\":\"DOWN\"}\n", ready.body());
            assertEquals(503, Http.get(port, "/health").status());
            assertEquals(404, Http.get(port, "/health/other").status());
            Answer metrics = Http.get(port, "/metrics");
            assertEquals(200, metrics.status());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.contentType());
            assertEquals(1, sample(metrics.body(), "profguard_client_active"), metrics.body());
            assertEquals(1, sample(metrics.body(), "profguard_production"), metrics.body());
            assertTrue(metrics.body().contains("profguard_findings{rule=\"mtuner-client\",strength=\"strong\"} "), metrics.body());
            assertTrue(metrics.body().contains("profguard_build_info{version=\"0."), metrics.body());
            Http.assertValidMetrics(metrics.body(), dir);
        }
    }

    @OnEachJdk
    void metricsCountRefusedLoadsAndWatcherTicks(Jdk jdk) throws Exception {
        int port = Http.freePort();
        String client = Jvm.fixture("libmtuner_standin.so").toString();
        try (RunningJvm app = serve(jdk, "env=production,watch.interval=100ms,health.port=" + port, null, client)) {
            assertTrue(app.stdout().contains("REFUSED " + client), app.stdout());
            String metrics = Http.get(port, "/metrics").body();
            assertEquals(1, sample(metrics, "profguard_refused_loads_total"), metrics);
            assertEquals(0, sample(metrics, "profguard_client_active"), "refused: nothing active\n" + metrics);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sample(metrics, "profguard_watcher_ticks_total") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                metrics = Http.get(port, "/metrics").body();
            }
            assertTrue(sample(metrics, "profguard_watcher_ticks_total") > 0, metrics);
            Matcher tick = Pattern.compile("(?m)^profguard_watcher_last_tick_timestamp_seconds (\\d+)\\.\\d{3}$").matcher(metrics);
            assertTrue(tick.find(), metrics);
            long age = System.currentTimeMillis() / 1000 - Long.parseLong(tick.group(1));
            assertTrue(age >= -1 && age < 30, "the watcher ticked moments ago: " + age + " s\n" + metrics);
            assertEquals(1, sample(metrics, "profguard_enabled"));
            assertTrue(metrics.contains("# TYPE profguard_refused_loads_total counter\n"), metrics);
            Http.assertValidMetrics(metrics, dir);
        }
    }

    /**
     * A watcher thread stopped from inside the JVM (here suspended, JDK 17) is noticed by nothing in
     * the JVM; its last-tick timestamp stops moving, which is what an alert watches.
     */
    @Test
    void aStalledWatcherShowsInItsLastTickTimestamp() throws Exception {
        Jdk jdk17 = Jdk.all().filter(j -> j.name().equals("JDK 17")).findFirst().orElseThrow();
        int port = Http.freePort();
        try (RunningJvm app = serve(jdk17, "env=production,watch.interval=100ms,health.port=" + port, null, "suspend-watcher")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!app.stdout().contains("SUSPENDED") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(app.stdout().contains("SUSPENDED"), app.stdout());
            String before = Http.get(port, "/metrics").body();
            Thread.sleep(1500); // 15 intervals
            String after = Http.get(port, "/metrics").body();
            assertTrue(sample(before, "profguard_watcher_ticks_total") > 0, before);
            assertEquals(sample(before, "profguard_watcher_ticks_total"), sample(after, "profguard_watcher_ticks_total"), after);
            Matcher tick = Pattern.compile("(?m)^profguard_watcher_last_tick_timestamp_seconds (\\d+\\.\\d{3})$").matcher(after);
            assertTrue(tick.find(), after);
            assertTrue(before.contains("profguard_watcher_last_tick_timestamp_seconds " + tick.group(1) + "\n"),
                    "the timestamp did not move while suspended\n" + before + after);
        }
    }

    /** The alerting rules over the agent's metrics are valid and fire on a stalled watcher and an active client. */
    @Test
    void theAgentsAlertingRulesAreValidAndFire() throws Exception {
        Promtool.assertRulesPass(dir, KubernetesExampleTest.PACKAGING.resolve("kubernetes/profguard-agent.rules.yaml"),
                "  - interval: 1m",
                "    input_series:",
                // ticking every minute for 3 minutes (timestamps 0, 60, 120 s), then stuck at 120 s
                "      - series: 'profguard_watcher_last_tick_timestamp_seconds{instance=\"app-1:9464\"}'",
                "        values: '0.001 60 120 120 120 120 120'",
                "      - series: 'profguard_client_active{instance=\"app-1:9464\"}'",
                "        values: '0 0 0 1 1 1 1'",
                "    alert_rule_test:",
                "      - eval_time: 2m",
                "        alertname: ProfguardWatcherStalled",
                "        exp_alerts: []",
                "      - eval_time: 5m",
                "        alertname: ProfguardWatcherStalled",
                "        exp_alerts:",
                "          - exp_labels: {severity: critical, instance: 'app-1:9464'}",
                "            exp_annotations:",
                "              summary: \"profguard's runtime watcher in app-1:9464 stopped ticking\"",
                "              description: \"The watcher thread of this JVM's guard has not ticked for more than 30 s. Something in the JVM stopped it: take a thread dump (jstack) and look at the thread profguard-watcher.\"",
                "      - eval_time: 2m",
                "        alertname: ProfilerClientActive",
                "        exp_alerts: []",
                "      - eval_time: 3m",
                "        alertname: ProfilerClientActive",
                "        exp_alerts:",
                "          - exp_labels: {severity: critical, instance: 'app-1:9464'}",
                "            exp_annotations:",
                "              summary: \"Native memory profiler client active in app-1:9464\"",
                "              description: \"profguard found a profiler client in this JVM that was neither refused nor switched off. GET /health on the agent's health.port has the finding.\"");
    }

    @OnEachJdk
    void disabledSaysSo(Jdk jdk) throws Exception {
        int port = Http.freePort();
        try (RunningJvm app = serve(jdk, "env=production,enabled=false,health.port=" + port, "libmtuner_standin.so")) {
            Answer health = Http.get(port, "/health");
            assertEquals(200, health.status(), health.body());
            assertTrue(health.body().startsWith("{\"status\":\"DISABLED\",\"outcome\":\"disabled\""), health.body());
            assertTrue(health.body().contains("enabled=false (agent argument)"), health.body());
            assertEquals(200, Http.get(port, "/health/readiness").status());
            assertEquals("{\"status\":\"DISABLED\"}\n", Http.get(port, "/health/liveness").body());
            String metrics = Http.get(port, "/metrics").body();
            assertEquals(0, sample(metrics, "profguard_enabled"), metrics);
            Http.assertValidMetrics(metrics, dir);
            app.send("");
            assertEquals(0, app.await());
            List<String> lines = app.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
            assertEquals(List.of("profguard: WARN the guard is off in this JVM: enabled=false (agent argument). Nothing is "
                    + "checked (no start-up scan, no library-load gate, no watcher) and health reports DISABLED; remove "
                    + "that setting to guard this JVM again."), lines, "one WARN, and the client goes unchecked");
        }
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
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,health.port=" + Http.freePort()).run();
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
    void statusFileIsMarkedStoppedWhenTheJvmEndsAndNoTemporaryFileStays(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Files.writeString(status, "stale content that must disappear entirely\n".repeat(100));
        Run up = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + status).main(MBeanApp.class).run();
        assertEquals(0, up.exitStatus(), up.toString());
        assertTrue(up.stdout().contains("MXBEAN UP allow"), "UP while it ran\n" + up);
        // red team round 9: getClassLoaderFor gave the guard's loader, and through it the options
        assertTrue(up.stdout().contains("MXBEAN-LOADER boot"), up.toString());
        String json = Files.readString(status);
        assertTrue(json.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"allow\"") && json.endsWith("}\n")
                && json.indexOf('\n') == json.length() - 1, json);
        assertTrue(json.contains("\"ready\":false"), "an ended JVM is never ready\n" + json);
        Run refused = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + status).preload("libmtuner_standin.so").run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        String down = Files.readString(status);
        assertTrue(down.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"refuse\""), down);
        assertTrue(down.contains("exit status 78"), down);
        for (int i = 0; i < 6; i++) { // short-lived JVMs, ended while the health thread may still write
            Run quick = Jvm.on(jdk, dir).agentArgs("env=staging,status.file=" + status).run();
            assertEquals(0, quick.exitStatus(), quick.toString());
            assertTrue(Files.readString(status).startsWith("{\"status\":\"STOPPED\""), Files.readString(status));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temporary file left beside it");
        }
        Run unwritable = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + dir.resolve("no/such/dir/s.json")).run();
        assertEquals(0, unwritable.exitStatus(), unwritable.toString());
        assertTrue(unwritable.mainRan());
    }

    @OnEachJdk
    void haltMarksTheStatusFileStoppedWithTheReason(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=300ms,runtime.action=halt,status.file=" + status)
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "3000").run();
        assertEquals(78, run.exitStatus(), run.toString());
        String json = Files.readString(status);
        assertTrue(json.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"halt\""), json);
        assertTrue(json.contains("libcompress-helper.so"), json);
    }

    @Test
    void wideningTheBindAddressIsWarnedAbout() throws Exception {
        Jdk jdk = Jdk.all().findFirst().orElseThrow();
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,health.bind=0.0.0.0,health.port=" + Http.freePort())
                .main(MBeanApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN health endpoint bound to 0.0.0.0, which is not a loopback"),
                run.toString());
        assertFalse(run.stderr().contains("Exception"), run.toString());
    }
}
