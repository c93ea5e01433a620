package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoadApp;
import dev.profguard.it.app.PauseApp;
import dev.profguard.it.app.SpoolApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the guard does with capture data found with no client left (red team rounds 20 and 21):
 * it deletes what the working directory's content says is capture data, and nothing else; it
 * never ends a JVM for data alone; and it says truly what became of each file.
 */
class CaptureDataPolicyTest extends JvmTest {
    /**
     * A clean production JVM holds an upload open whose first bytes are the capture header: said
     * (DOWN while it is open), never a reason to end the JVM at its end (round 21: exit 78 from a
     * verdict about data alone), and the application's file is not deleted.
     */
    @OnEachJdk
    void dataHeldOpenNeverEndsTheJvmNorIsDeleted(Jdk jdk) throws Exception {
        Path upload = dir.resolve("upload.bin");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .main(SpoolApp.class, "hold-open", upload.toString(), "1500").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains(PauseApp.DONE), run.toString());
        assertTrue(Files.exists(upload), "the application's file is its own\n" + run);
    }

    /**
     * A descriptor on an unlinked file with the capture header, and an ordinary file written since
     * under the same name: the descriptor's name ("P (deleted)") is not the file now at P, which
     * the guard never read and must not delete (round 21).
     */
    @OnEachJdk
    void aDeletedOpenFileIsNotDisposedOfByItsOldName(Jdk jdk) throws Exception {
        Path spool = dir.resolve("ledger.txt");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .main(SpoolApp.class, "hold-deleted", spool.toString(), "1500").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertEquals("an ordinary file, not capture data\n", Files.readString(spool), run.toString());
    }

    /**
     * Symbolic links under the client's capture names, to a directory elsewhere: its capture lands
     * there. The guard says so ("behind a symbolic link to T, kept there"), never "deleted" of data
     * it left on disk (round 21: the line said "N bytes, deleted" of the link alone).
     */
    @OnEachJdk
    void captureDataBehindALinkIsNeverSaidDeleted(Jdk jdk) throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Jvm jvm = clientCycle(jdk).main(LoadApp.class, "load-linked", helper().toString(), elsewhere.toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.matches(".*the capture file it left, \\S+mtuner_capture_\\d+\\.MTuner: \\d+ bytes behind a symbolic link to "
                + java.util.regex.Pattern.quote(elsewhere.toString()) + "/\\d+\\.bin, kept there.*"), line);
        assertTrue(!line.contains("deleted"), line);
    }

    /**
     * A decoy with the capture header, written and reported under the name the client then writes
     * under: the name is judged again when its file changes, so the client's capture is deleted
     * (round 21: a reported name was never judged again). The decoys themselves are said, not
     * deleted: before the client came and went, nothing in this process was a client, and capture
     * data in a shared working directory can be another process's.
     */
    @OnEachJdk
    void aNameReportedOnceIsJudgedAgainWhenWritten(Jdk jdk) throws Exception {
        Jvm jvm = clientCycle(jdk).main(LoadApp.class, "load-decoy", helper().toString(), "1200");
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.profguardLines().size() >= 2, "the decoy, then the client's capture\n" + run);
        for (Path left : captureFiles()) { // the decoys are said, not deleted: no client had come and gone yet
            assertEquals(5, Files.size(left), "only the application's five-byte decoys are left: " + left + "\n" + run);
        }
    }

    /**
     * A process of the application's holds write leases on files it made in the working directory:
     * the look for capture data opens them without waiting and looks again later, where a blocking
     * open waited 45 s for each, with the watcher's lock held, and the JVM's end behind it (round 21).
     */
    @OnEachJdk
    void filesUnderAnotherProcesssLeaseNeverStallTheJvm(Jdk jdk) throws Exception {
        long started = System.nanoTime();
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .main(SpoolApp.class, "leased", Jvm.fixture("lease_holder").toString(), "2000").run();
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stderr().contains("LEASE spool-1.dat"), "the leases were taken\n" + run);
        assertTrue(seconds < 30, "ended after " + seconds + " s: a blocking open waits 45 s a file\n" + run);
        assertEquals(List.of(), run.profguardLines(), run.toString());
    }

    /**
     * A file whose name this JVM's file-name encoding cannot hold (café.txt under LC_ALL=C, the
     * default of many container images) beside what a client left: the look for capture data goes
     * on past it (red team round 22: one such name abandoned every look, the end's included).
     */
    @OnEachJdk
    void aNameTheJvmCannotHoldDoesNotStopTheLook(Jdk jdk) throws Exception {
        Files.writeString(dir.resolve("caf\u00e9.txt"), "a user's file\n");
        Jvm jvm = clientCycle(jdk).env("LC_ALL", "C").env("LANG", "C")
                .main(LoadApp.class, "load-cycle-load", helper().toString(), Jvm.fixture("libbenign.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("no client is loaded any more; the capture file it left"), line);
        assertEquals(List.of(), captureFiles(), run.toString());
        assertTrue(Files.exists(dir.resolve("caf\u00e9.txt")), run.toString());
    }

    /**
     * An upload whose first bytes happen to be the capture header, written to the working
     * directory of a clean production JVM and closed: said (capture data by its content), never
     * deleted, as its name is no capture file's (red team round 22: deleted).
     */
    @OnEachJdk
    void aFileOnlyTheHeaderNamesIsNeverDeleted(Jdk jdk) throws Exception {
        Path upload = dir.resolve("upload.bin");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .main(SpoolApp.class, "write-then-wait", upload.toString(), "1500").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("upload.bin (a capture file by its content"), run.toString());
        assertTrue(Files.exists(upload), "the application's file is its own\n" + run);
    }

    private Path helper() throws Exception {
        return Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libhelper.so"));
    }

    /** A helper loaded through the gate whose thread, once triggered, runs a client's whole life. */
    private Jvm clientCycle(Jdk jdk) {
        return Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .env("LATE_RECORD", "1").env("LATE_UNLOAD", "1");
    }
}
