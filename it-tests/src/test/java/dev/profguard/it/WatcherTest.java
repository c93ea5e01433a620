package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.PauseApp;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client dlopen()ed by native code once main runs, behind the load gate's back: the watcher
 * (interval 300 ms) notices it while main still runs and acts per runtime.action.
 */
class WatcherTest extends JvmTest {
    private Jvm lateClient(Jdk jdk, String agentArgs) {
        return Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=300ms," + agentArgs)
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "3000");
    }

    @OnEachJdk
    void aClientLoadedLaterIsSwitchedOffByDefault(Jdk jdk) throws Exception {
        Run run = lateClient(jdk, "status.file=" + dir.resolve("status.json")).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains(PauseApp.DONE), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up (env=production"),
                line);
        assertTrue(line.contains("loaded object " + Jvm.fixture("libcompress-helper.so") + " defines rmemInit"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + Jvm.fixture("libcompress-helper.so")), line);
        // read after the JVM ended: STOPPED, with the last outcome; switched off, the client is not active
        String status = Files.readString(dir.resolve("status.json"));
        assertTrue(status.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"neutralized_late\""), status);
    }

    @OnEachJdk
    void itIsFoundWithinTwoIntervals(Jdk jdk) throws Exception {
        Path trigger = dir.resolve("main-started");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=500ms,log.format=json")
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", trigger.toString()).main(PauseApp.class, "4000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        java.util.regex.Matcher time = java.util.regex.Pattern.compile("^\\{\"time\":\"([^\"]+)\"").matcher(line);
        assertTrue(time.find() && line.contains("\"outcome\":\"neutralized_late\""), line);
        long noticed = java.time.Instant.parse(time.group(1)).toEpochMilli();
        long loaded = Files.getLastModifiedTime(trigger).toMillis(); // the dlopen follows within 20 ms
        assertTrue(noticed - loaded <= 2 * 500 + 1500,
                "noticed " + (noticed - loaded) + " ms after the load; two intervals are 1000 ms (1500 ms slack)");
    }

    @OnEachJdk
    void runtimeActionWarnLeavesItActiveAndTheGuardDown(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = lateClient(jdk, "runtime.action=warn,status.file=" + status).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("It stays active (runtime.action=warn); the guard reports DOWN."), run.toString());
        String json = Files.readString(status);
        assertTrue(json.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"active_late\""), json); // read after the end
        assertTrue(json.contains("libcompress-helper.so"), json);
    }

    @OnEachJdk
    void runtimeActionHaltEndsTheJvm(Jdk jdk) throws Exception {
        Run run = lateClient(jdk, "runtime.action=halt").run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.stdout().contains(PauseApp.DONE), "main was cut short\n" + run);
        assertTrue(run.onlyProfguardLine().contains("Ending this JVM (runtime.action=halt), exit status 78"), run.toString());
        assertNoCaptureFile();
    }

    @OnEachJdk
    void withoutTheProbeItStillNoticesButCannotSwitchOff(Jdk jdk) throws Exception {
        Run run = lateClient(jdk, "probe=off").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("It stays active (runtime.action=neutralize, but it cannot be switched off: switching off needs "
                + "the native probe, which is not loaded (probe=off)); the guard reports DOWN."), line);
    }

    @OnEachJdk
    void inStagingAnAllowedClientIsLeftAloneAndHealthStaysUp(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = Jvm.on(jdk, dir).agentArgs("env=staging,watch.interval=300ms,status.file=" + status)
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "3000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up (env=staging"),
                line);
        assertTrue(line.contains("It stays active (not a production JVM; in production: the client would be switched off); "
                + "remove the client before it reaches production."), line);
        assertFalse(line.contains("switched off in place"), line);
        String json = Files.readString(status);
        // read after the JVM ended: STOPPED; the client allowed outside production was never active (UP while it ran)
        assertTrue(json.startsWith("{\"status\":\"STOPPED\",\"outcome\":\"warn_late\""), json);
        assertTrue(json.contains("\"client_active\":false"), "allowed outside production: UP\n" + json);
        assertTrue(json.contains("libcompress-helper.so"), "with the finding listed\n" + json);
    }

    /** Nothing of the client's capture data is left in the working directory. */
    private void assertNoCaptureFile() throws Exception {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(), files.filter(f -> f.getFileName().toString().endsWith(".MTuner")).toList());
        }
    }

    @OnEachJdk
    void intervalZeroTurnsTheWatcherOff(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=0").preload("liblate-dlopen.so")
                .env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "1200").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertEquals(0, run.profguardLines().size(), run.toString());
    }
}
