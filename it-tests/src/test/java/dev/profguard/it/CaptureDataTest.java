package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HeapApp;
import dev.profguard.it.app.SleepingApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing of the client's capture data survives a refusal or a switch-off (issue #12), and a
 * capture file is known by its header whatever its name. The stand-in buffers like the real
 * client and flushes from its destructor at exit; STANDIN_BUFFER_BYTES=4 MiB (the real default)
 * keeps it from writing anything before the guard acts.
 */
class CaptureDataTest extends JvmTest {
    private static final String BIG_BUFFER = Integer.toString(4 << 20);
    /** The first bytes of a capture file written by a gcc build of the client. */
    private static final byte[] HEADER = {0x00, 0x40, 0x01, 0x02, 0x02, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0};

    @OnEachJdk
    void aRefusedStartLeavesNoCaptureFile(Jdk jdk) throws Exception {
        Run unguarded = Jvm.on(jdk, dir).noAgentOption().preload("libmtuner_standin.so")
                .env("STANDIN_BUFFER_BYTES", BIG_BUFFER).run();
        assertEquals(0, unguarded.exitStatus(), unguarded.toString());
        assertEquals(1, captureFiles().size(), "control: the client writes its capture at exit");
        Files.delete(captureFiles().get(0));

        Run refused = Jvm.on(jdk, dir).agentArgs("env=production").preload("libmtuner_standin.so")
                .env("STANDIN_BUFFER_BYTES", BIG_BUFFER).run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        assertTrue(refused.onlyProfguardLine().endsWith("Capture data: no capture file was written."), refused.toString());
        assertEquals(List.of(), captureFiles(), "the JVM ended with _exit: the client's destructor never flushed");
    }

    @OnEachJdk
    void aRefusedStartDeletesTheCaptureFileTheClientHeldOpen(Jdk jdk) throws Exception {
        // The default 64 KiB buffer fills during start-up: the file is open before premain.
        Run refused = Jvm.on(jdk, dir).agentArgs("env=production").preload("libmtuner_standin.so").run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        assertTrue(refused.onlyProfguardLine().matches(
                ".*Capture data: capture file \\S+mtuner_capture_\\d+\\.MTuner: \\d+ bytes, deleted\\.$"), refused.toString());
        assertEquals(List.of(), captureFiles());
    }

    @OnEachJdk
    void keepingIsExplicitAndSaid(Jdk jdk) throws Exception {
        Run refused = Jvm.on(jdk, dir).agentArgs("env=production,capture.files=keep").preload("libmtuner_standin.so").run();
        assertEquals(78, refused.exitStatus(), refused.toString());
        assertTrue(refused.onlyProfguardLine().matches(
                ".*Capture data: capture file \\S+\\.MTuner: \\d+ bytes, kept \\(capture.files=keep\\)\\.$"), refused.toString());
        assertEquals(1, captureFiles().size());
    }

    @OnEachJdk
    void aSwitchOffBeforeAnyFileDeletesWhatTheSwitchOffWrote(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize").preload("libmtuner_standin.so")
                .env("STANDIN_BUFFER_BYTES", BIG_BUFFER).main(HeapApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.matches(".*no file yet, the switch-off wrote capture file \\S+mtuner_capture_\\d+\\.MTuner: "
                + "\\d+ bytes, deleted.*"), line);
        assertEquals(List.of(), captureFiles(), "nothing at exit either: the client was switched off");
    }

    @OnEachJdk
    void aRenamedOpenCaptureFileIsFoundAtStartUpAndByCheck(Jdk jdk) throws Exception {
        Path report = dir.resolve("report.bin");
        Files.write(report, HEADER);
        // the file is open (fd 3) in the JVM from its start, under a name that says nothing
        Run run = Jvm.on(jdk, dir).agentArgs("env=production")
                .wrappedIn(List.of("bash", "-c", "exec 3>>\"$0\"; exec \"$@\"", report.toString())).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("open file " + report + " (a capture file by its content (header "
                + "00 40 01 02 02)"), run.toString());

        Files.write(report, HEADER);
        List<String> command = List.of("bash", "-c", "exec 3>>\"$0\"; exec \"$@\"", report.toString(), jdk.java().toString(),
                "-cp", Jvm.codeSource(SleepingApp.class).toString(), SleepingApp.class.getName());
        try (RunningJvm target = new RunningJvm(command, Map.of("APP_ENV", "production"), dir)) {
            AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(target.process.pid()));
            assertEquals(1, check.status(), check.toString());
            assertTrue(check.stdout().contains("open file " + report + " (a capture file by its content"), check.toString());
        }
    }

    @OnEachJdk
    void scanFindsARenamedCaptureFileOnDiskAndInAJar(Jdk jdk) throws Exception {
        Path report = dir.resolve("report.bin");
        Files.write(report, HEADER);
        Path jar = dir.resolve("app.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry("META-INF/data/heap.dat"));
            zip.write(HEADER);
            zip.closeEntry();
        }
        AgentCommand scan = AgentCommand.run(jdk, dir, "scan", report.toString(), jar.toString());
        assertEquals(1, scan.status(), scan.toString());
        assertTrue(scan.stdout().contains(report + " (a capture file by its content"), scan.toString());
        assertTrue(scan.stdout().contains(jar + "!/META-INF/data/heap.dat (a capture file by its content"), scan.toString());
        Path plain = dir.resolve("plain.bin");
        Files.write(plain, new byte[]{0x00, 0x40, 0x01, 0x02, 0x07});
        AgentCommand clean = AgentCommand.run(jdk, dir, "scan", plain.toString());
        assertEquals(0, clean.status(), "control: other bytes are not a capture file\n" + clean);
        assertFalse(clean.stdout().contains("capture file"), clean.toString());
    }
}
