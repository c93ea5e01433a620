package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.PauseApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watcher knows objects, not paths (issue #11): a client in another link-map namespace, a
 * library replaced in place under a name, address and inode it knows, and a client switched off
 * and started again are each acted on, and health is never UP while a client records.
 */
class LateClientTest extends JvmTest {
    private Jvm late(Jdk jdk, String agentArgs, String library) {
        return Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=300ms," + agentArgs)
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", library)
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString());
    }

    @OnEachJdk
    void aClientInAnotherLinkMapNamespaceIsNoticed(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = late(jdk, "status.file=" + status, Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_NAMESPACE", "new").main(PauseApp.class, "3000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("another link-map namespace"), line);
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + Jvm.fixture("libcompress-helper.so")),
                "reached through its mapping and its own dynamic section\n" + line);
        assertTrue(Files.readString(status).contains("\"outcome\":\"neutralized_late\"")
                && Files.readString(status).contains("\"client_active\":false"), Files.readString(status));

        Run halted = late(jdk, "runtime.action=halt", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_NAMESPACE", "new").main(PauseApp.class, "3000").run();
        assertEquals(78, halted.exitStatus(), halted.toString());
        assertFalse(halted.stdout().contains(PauseApp.DONE), halted.toString());
        assertEquals(List.of(), captureFiles(), "ended with _exit: nothing flushed at exit");
    }

    /**
     * Native code that loads a client and unloads another library in one go, then puts the dynamic
     * linker's add counter back (it lives in ld.so's writable data), leaves dl_iterate_phdr's
     * counters as they were: the watcher looks anyway every twentieth tick, and finds the client.
     */
    @OnEachJdk
    void aClientHiddenFromTheLinkersCounterIsNoticedAnyway(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .env("LATE_HIDE_WITH", Jvm.fixture("libbenign.so").toString())
                .main(PauseApp.class, "6000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + Jvm.fixture("libcompress-helper.so")),
                line);
    }

    @OnEachJdk
    void aLibraryReplacedInPlaceUnderAKnownNameIsNoticed(Jdk jdk) throws Exception {
        Path reused = Files.copy(Jvm.fixture("libbenign.so"), dir.resolve("libreuse.so"));
        Run run = late(jdk, "status.file=" + dir.resolve("status.json"), reused.toString()).env("LATE_REUSE_FROM", Jvm.fixture("libcompress-helper.so").toString())
                .main(PauseApp.class, "4000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("loaded object " + reused + " defines rmemInit"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + reused), line);
    }

    @OnEachJdk
    void aClientSwitchedOffAndStartedAgainIsSwitchedOffAgain(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = late(jdk, "status.file=" + status, Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_RECORD", "1").env("LATE_REINIT_MS", "2500").main(PauseApp.class, "6500").run();
        assertEquals(0, run.exitStatus(), run.toString());
        List<String> lines = run.profguardLines();
        assertTrue(lines.size() >= 2, "switched off, started again, switched off again\n" + run);
        for (String line : lines) {
            assertTrue(line.contains("It was switched off in place: called rmemShutDown()"), line);
        }
        assertTrue(lines.get(lines.size() - 1).matches(".*capture file \\S+\\.MTuner was open, closed, \\d+ bytes, deleted.*"),
                lines.get(lines.size() - 1));
        assertEquals(List.of(), captureFiles(), "nothing of either capture is left");
        assertTrue(Files.readString(status).contains("\"outcome\":\"neutralized_late\"") // UP while it ran
                && Files.readString(status).contains("\"client_active\":false"), Files.readString(status));
    }

    @OnEachJdk
    void captureDataWrittenAfterStartUpIsNoticed(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=200ms,status.file=" + status)
                .main(dev.profguard.it.app.CaptureWriterApp.class, "heap.dump").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains(dir.resolve("heap.dump") + " (a capture file by its content (header 00 40 01 02 03)"), line);
        assertTrue(line.contains("no loaded client object to switch off"), line);
        assertTrue(Files.readString(status).contains("\"client_active\":true"), "DOWN while it ran\n" + Files.readString(status));
    }
}
