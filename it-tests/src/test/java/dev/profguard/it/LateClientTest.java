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
        return loadsAfterMain(jdk, "env=production,watch.interval=300ms," + agentArgs, library);
    }

    /** Native code loads {@code library} as soon as main has started (its trigger file). */
    private Jvm loadsAfterMain(Jdk jdk, String agentArgs, String library) {
        return Jvm.on(jdk, dir).agentArgs(agentArgs).preload("liblate-dlopen.so").env("LATE_DLOPEN", library)
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString());
    }

    /** main ran to its end, and the stand-in was switched off after start-up, with nothing of it left. */
    private void assertSwitchedOffLate(Run run) throws Exception {
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains(PauseApp.DONE), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + Jvm.fixture("libcompress-helper.so")),
                line);
        assertTrue(line.matches(".*(capture file \\S+\\.MTuner(:| was open, closed,) \\d+ bytes, deleted|no capture file was written).*"),
                line);
        assertEquals(List.of(), captureFiles(), "nothing the client buffered is left");
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
     * counters as they were: the watcher looks anyway every twentieth tick, and finds the client
     * while main still runs (runtime.action=halt: main never reaches its end; the JVM's own last
     * look would have found it only after).
     */
    @OnEachJdk
    void aClientHiddenFromTheLinkersCounterIsNoticedAnyway(Jdk jdk) throws Exception {
        Run run = loadsAfterMain(jdk, "env=production,watch.interval=100ms,runtime.action=halt",
                Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_HIDE_WITH", Jvm.fixture("libbenign.so").toString())
                .main(PauseApp.class, "6000").run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.stdout().contains(PauseApp.DONE), "found during the run, not at its end\n" + run);
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("loaded object " + Jvm.fixture("libcompress-helper.so")), line);
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

    /**
     * Native code that loads a client behind the gate's back and a JVM that ends before the
     * watcher's next look: the client's destructor would write its buffered records at exit. The
     * JVM's end is a look of its own (a shutdown hook, nearly free when the linker's list did not
     * move since start-up): the client is switched off and what it wrote deleted, or, with
     * runtime.action=halt, the JVM ends through _exit and nothing is written.
     */
    @OnEachJdk
    void aClientLoadedJustBeforeTheJvmEndsIsLookedAtAsItEnds(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        String client = Jvm.fixture("libcompress-helper.so").toString();
        Run run = loadsAfterMain(jdk, "env=production,watch.interval=10m,status.file=" + status, client)
                .env("LATE_RECORD", "1").main(PauseApp.class, "700").run();
        assertSwitchedOffLate(run);
        assertTrue(run.onlyProfguardLine().contains(" bytes, deleted"), "what it recorded was written and deleted\n" + run);
        String last = Files.readString(status); // the look's outcome published before the end
        assertTrue(last.contains("\"status\":\"STOPPED\"") && last.contains("\"outcome\":\"neutralized_late\"")
                && last.contains("\"client_active\":false"), last);

        Files.delete(dir.resolve("main-started"));
        Run halted = loadsAfterMain(jdk, "env=production,watch.interval=10m,runtime.action=halt", client)
                .env("LATE_RECORD", "1").main(PauseApp.class, "700").run();
        assertEquals(78, halted.exitStatus(), halted.toString());
        assertTrue(halted.onlyProfguardLine().startsWith("profguard: ERROR MTuner's client (rmem) found in this running JVM"),
                halted.toString());
        assertEquals(List.of(), captureFiles(), "ended with _exit: nothing flushed at exit");
    }

    /**
     * The JVM's end looks whatever the linker's counter says once the watcher runs: native code
     * that loads a client, unloads another library and puts the counter back shortly before the
     * JVM ends (red team round 17) is found there, not left to write its capture file at exit.
     * The watcher's own look-anyway (every twentieth tick, 20 s here) does not come before it.
     */
    @OnEachJdk
    void aClientHiddenFromTheCounterJustBeforeTheEndIsFoundAtTheEnd(Jdk jdk) throws Exception {
        Run run = loadsAfterMain(jdk, "env=production,watch.interval=1s", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_HIDE_WITH", Jvm.fixture("libbenign.so").toString()).env("LATE_RECORD", "1")
                .main(PauseApp.class, "2700").run();
        assertSwitchedOffLate(run);
    }

    /**
     * A client loaded behind the gate, recording, shut down and unloaded before the end (red team,
     * round 19): nothing of it is loaded or open at the end, only its capture file in the working
     * directory. The end looks for capture data when the linker's list moved since the last look:
     * found in production, with no client left to switch off, what it left is deleted (red team
     * round 20: reported and left on disk before).
     */
    @OnEachJdk
    void aClientGoneBeforeTheEndIsNotSilentAboutItsCaptureFile(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Path helper = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libhelper.so"));
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=10m,status.file=" + status)
                .env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .env("LATE_RECORD", "1").env("LATE_UNLOAD", "1")
                .main(dev.profguard.it.app.UnloadApp.class, helper.toString(), Jvm.codeSource(PauseApp.class).toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("UNLOADED true"), "the helper is gone too\n" + run);
        assertCaptureLeftDeleted(run, status);
    }

    /**
     * A production JVM in which the helper the application loads through the gate runs a client's
     * whole life (load, record, rmemShutDown, unload) when {@code trigger} appears, or in its
     * constructor with "now".
     */
    private Jvm clientsWholeLife(Jdk jdk, String interval, Path status, String trigger) {
        return Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=" + interval + ",status.file=" + status)
                .env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString()).env("LATE_DLOPEN_TRIGGER", trigger)
                .env("LATE_RECORD", "1").env("LATE_UNLOAD", "1");
    }

    /** The application's load went through, and what the client left is deleted (below). */
    private void assertLoadedAndLeftNothing(Jvm jvm, Path status) throws Exception {
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        assertCaptureLeftDeleted(run, status);
    }

    /** The capture file a client left with no client left loaded: named, deleted, and health not DOWN. */
    private void assertCaptureLeftDeleted(Run run, Path status) throws Exception {
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.matches(".*no client is loaded any more; the capture file it left, \\S+mtuner_capture_\\d+\\.MTuner: "
                + "\\d+ bytes, deleted.*"), line);
        assertEquals(List.of(), captureFiles(), "nothing the client wrote is left\n" + run);
        assertTrue(Files.readString(status).contains("\"client_active\":false"), Files.readString(status));
    }

    /**
     * A benign library loaded through the gate whose constructor runs a client's whole life (load,
     * record, rmemShutDown, unload) inside that load (red team round 20): the linker's counter
     * moved by more than the objects the load mapped as judged, so the end does not take the move
     * as explained, looks for capture data, and deletes what the client left.
     */
    @OnEachJdk
    void aClientsWholeLifeInsideAGatedLoadLeavesNothing(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Path helper = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libhelper.so"));
        Jvm jvm = clientsWholeLife(jdk, "10m", status, "now")
                .main(dev.profguard.it.app.LoadApp.class, "System.load", helper.toString());
        assertLoadedAndLeftNothing(jvm, status);
    }

    /**
     * A client's whole life on a native thread of a library the gate let load, then a load whose
     * JNI_OnLoad opens a system library, so that the gate makes the watcher look at once: a look
     * that does not look for capture data. The end compares the counter with the last look for
     * capture data, not with the last look (red team round 20: the capture file was left, silent).
     */
    @OnEachJdk
    void aLookWithoutCaptureDataDoesNotHideWhatAClientLeft(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Path helper = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libhelper.so"));
        Jvm jvm = clientsWholeLife(jdk, "10m", status, dir.resolve("main-started").toString())
                .env("ONLOAD_DLOPEN", "/usr/lib/x86_64-linux-gnu/libresolv.so.2")
                .main(dev.profguard.it.app.LoadApp.class, "load-cycle-load", helper.toString(),
                        Jvm.fixture("libjni-onload-dlopen.so").toString());
        assertLoadedAndLeftNothing(jvm, status);
    }

    /**
     * Empty files under every name the client could give its capture file, made early and dated
     * back, then the client's whole life, appending to one of them (red team round 20: the watcher
     * judged each name once, and never again). A name is judged again whenever its file changes,
     * and "written since start-up" is its change time, which no one can date back.
     */
    @OnEachJdk
    void aCaptureFileMadeEarlyAndDatedBackIsJudgedWhenWritten(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        Path helper = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libhelper.so"));
        Jvm jvm = clientsWholeLife(jdk, "100ms", status, dir.resolve("main-started").toString())
                .main(dev.profguard.it.app.LoadApp.class, "load-preseen", helper.toString(), "1300");
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.matches(".*no client is loaded any more; the capture file it left, \\S+mtuner_capture_\\d+\\.MTuner: "
                + "\\d+ bytes, deleted.*"), line);
        for (Path left : captureFiles()) {
            assertEquals(0, Files.size(left), "only the empty files the application made are left: " + left);
        }
    }

    /**
     * A hidden client (no API, no zero-fill) opened in a link-map namespace of its own from a tmpfs,
     * then a second tmpfs bind-mounted over its directory, holding a benign library under the same
     * name with the same inode number (red team round 20: the watcher judged the mapping as the
     * cover, "the same inode under the mapping's own name"). A name stands for a mapping only when
     * the file the kernel maps for it now is, exactly, the mapped one: the client is found while
     * main runs, cannot be switched off, and at the JVM's end is not let write (78, no capture file).
     */
    @OnEachJdk
    void aCoverOfTheSameInodeNumberOnAnotherDeviceIsNotTheMappedClient(Jdk jdk) throws Exception {
        Path client = Files.createDirectories(dir.resolve("client"));
        Path cover = Files.createDirectories(dir.resolve("cover"));
        String script = "mount -t tmpfs -o inode64 none " + client + " && cp " + Jvm.fixture("libhidden-small.so") + " "
                + client + "/libx.so && mount -t tmpfs -o inode64 none " + cover + " && cp " + Jvm.fixture("libbenign.so")
                + " " + cover + "/libx.so && [ \"$(stat -c %i " + client + "/libx.so)\" = \"$(stat -c %i " + cover
                + "/libx.so)\" ] && exec \"$@\"";
        Jvm jvm = loadsAfterMain(jdk, "env=production,watch.interval=200ms", client.resolve("libx.so").toString())
                .env("LATE_DLOPEN_NAMESPACE", "new").env("LATE_COVER_WITH", cover.toString())
                .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"))
                .main(PauseApp.class, "2500");
        Run run = jvm.run();
        assertEquals(78, run.exitStatus(), run.toString());
        List<String> lines = run.profguardLines();
        assertTrue(lines.size() == 2 && lines.get(0).contains("mapped object " + client.resolve("libx.so") + " (carries "), run.toString());
        assertTrue(lines.get(1).contains("the JVM is ending, and is ended without running the client's exit code"), lines.get(1));
        assertEquals(List.of(), captureFiles(), "ended with _exit: nothing flushed at exit\n" + run);
    }

    /**
     * A client whose API is hidden (no rmemShutDown to call), loaded behind the gate shortly before
     * the JVM ends: the end look finds it and cannot switch it off, and the JVM is ending, so it is
     * ended through _exit (78) before the client's exit code can write what it buffered (red team
     * round 20: reported, then the capture file written at exit).
     */
    @OnEachJdk
    void aClientThatCannotBeSwitchedOffAtTheEndIsNotLetWrite(Jdk jdk) throws Exception {
        Run run = loadsAfterMain(jdk, "env=production,watch.interval=10m", Jvm.fixture("libhidden-helper.so").toString())
                .env("LATE_RECORD", "1").main(PauseApp.class, "700").run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("the JVM is ending, and is ended without running the client's exit code"), line);
        assertEquals(List.of(), captureFiles(), "ended with _exit: nothing flushed at exit\n" + run);
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
        // its header alone says capture data, not its name: an upload or a state file can start with
        // those five bytes, and such a file is never deleted (red team round 22)
        assertTrue(Files.exists(dir.resolve("heap.dump")), "a file only its header names is the application's");
        assertTrue(Files.readString(status).contains("\"client_active\":true"), "DOWN while it ran\n" + Files.readString(status));
    }
}
