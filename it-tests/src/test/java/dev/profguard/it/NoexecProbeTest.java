package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * java.io.tmpdir on a noexec mount, as in hardened containers: each JVM runs in a private mount
 * namespace (unshare -m) where a tmpfs is mounted noexec over a directory of the test's own; the
 * machine's /tmp is never touched. The probe loads from probe.dir or the next place that works,
 * and when none does the line names noexec as the cause.
 */
class NoexecProbeTest extends JvmTest {
    /** The JVM under unshare, with java.io.tmpdir (and, when asked, the working directory) on a noexec tmpfs. */
    private Jvm hardened(Jdk jdk, Path noexec, boolean workInNoexec) {
        String cd = workInNoexec ? " && cd " + noexec : "";
        return Jvm.on(jdk, dir).env("XDG_RUNTIME_DIR", "")
                .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "mount -t tmpfs -o noexec,nosuid,size=16m tmpfs " + noexec + cd + " && exec \"$0\" \"$@\""))
                .option("-Djava.io.tmpdir=" + noexec);
    }

    @OnEachJdk
    void theProbeLoadsFromProbeDirOrTheNextPlaceWhenTmpIsNoexec(Jdk jdk) throws Exception {
        Path noexec = Files.createDirectories(dir.resolve("tmp-noexec"));
        Path own = Files.createDirectories(dir.resolve("probe-dir"));
        Run withDir = hardened(jdk, noexec, true).agentArgs("env=production,probe=required,probe.dir=" + own).run();
        assertEquals(0, withDir.exitStatus(), withDir.toString());
        assertTrue(withDir.mainRan());
        assertEquals("", withDir.stderr(), "probe.dir: loaded, nothing said\n" + withDir);
        Run fallback = hardened(jdk, noexec, false).agentArgs("env=production,probe=required").run();
        assertEquals(0, fallback.exitStatus(), "the working directory is the next place\n" + fallback);
        assertEquals("", fallback.stderr(), fallback.toString());
        try (var left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("profguard-")), "its private directory is gone");
        }
    }

    @OnEachJdk
    void whenNoPlaceWorksTheLineNamesNoexec(Jdk jdk) throws Exception {
        Path noexec = Files.createDirectories(dir.resolve("tmp-noexec"));
        Run run = hardened(jdk, noexec, true).agentArgs("env=production").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN native probe not loaded: could not load the probe library from any place "
                + "tried: " + noexec + " (java.io.tmpdir) is on a noexec mount"), line);
        assertTrue(line.contains("Set probe.dir to a directory this JVM can write to on a mount without noexec"), line);
        assertFalse(line.contains("native access"), "the cause is noexec, not native access: " + line);
        Run required = hardened(jdk, noexec, true).agentArgs("env=production,probe=required").run();
        assertEquals(78, required.exitStatus(), required.toString());
        assertTrue(required.onlyProfguardLine().contains("is on a noexec mount"), required.toString());
    }
}
