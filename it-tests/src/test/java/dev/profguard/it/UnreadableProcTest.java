package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM whose /proc/self/maps, fd and cmdline show nothing (bind mounts in a private mount
 * namespace, made with unshare as root; the shell execs java, so /proc/$$ is the JVM's own).
 * The guard cannot see, so it says so, and main runs: it never crashes the application.
 */
class UnreadableProcTest extends JvmTest {


    @OnEachJdk
    void maskedProcIsReportedAndMainRuns(Jdk jdk) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        Path emptyDir = Files.createDirectory(dir.resolve("emptydir"));
        String script = "mount --bind " + empty + " /proc/$$/maps && mount --bind " + emptyDir + " /proc/$$/fd"
                + " && mount --bind " + empty + " /proc/$$/cmdline && exec \"$@\"";
        Run run = Jvm.on(jdk, dir).agentArgs("env=production")
                .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"))
                .run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN could not complete the check of this JVM"), line);
        assertTrue(line.contains("/proc/self/maps lists no mapped files"), line);
    }
}
