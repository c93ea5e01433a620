package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ways past a production start a red team found in the merged build (this session's second round
 * against it), each reproduced, each held now:
 * <ul>
 * <li>a JDWP server named in a {@code -XX:VMOptionsFile} that an options variable names, or in
 *     an argument file that names such an options file: options files are read wherever they are
 *     named, a few levels deep;</li>
 * <li>a hidden, stripped client that wipes its marks from its memory and deletes its own file:
 *     its mapped bytes are read through /proc/self/map_files, where the marks still are.</li>
 * </ul>
 */
class OptionFilesAndDeletedClientsTest extends JvmTest {
    private static final String JDWP = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0";

    @OnEachJdk
    void aJdwpServerInAnOptionsFileNamedByAnOptionsVariableIsRefused(Jdk jdk) throws Exception {
        Path options = Files.writeString(dir.resolve("vm.options"), "-Xss1m\n" + JDWP + "\n");
        for (String variable : new String[]{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}) {
            Run run = Jvm.on(jdk, dir).agentArgs("env=production").env(variable, "-XX:VMOptionsFile=" + options).run();
            assertEquals(78, run.exitStatus(), run.toString());
            assertFalse(run.mainRan());
            assertTrue(run.onlyProfguardLine().contains("JDWP"), run.toString());
        }
    }

    @OnEachJdk
    void aJdwpServerTwoFilesDeepIsRefused(Jdk jdk) throws Exception {
        Path options = Files.writeString(dir.resolve("deep.options"), JDWP + "\n");
        Path arguments = Files.writeString(dir.resolve("launch.args"), "-XX:VMOptionsFile=" + options + "\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("JDK_JAVA_OPTIONS", "@" + arguments).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("JDWP"), run.toString());
    }

    @OnEachJdk
    void aHiddenClientThatWipedItsMarksAndDeletedItsFileIsRefused(Jdk jdk) throws Exception {
        Path lib = dir.resolve("libx.so");
        Files.copy(Jvm.fixture("libwiped-self-deleting.so"), lib, StandardCopyOption.REPLACE_EXISTING);
        Path marker = dir.resolve("constructor-ran");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker.toString())
                .env("LD_PRELOAD", lib.toString()).run();
        assertFalse(Files.exists(lib), "the library deleted its own file");
        assertTrue(Files.exists(marker), "the client ran\n" + run);
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains(lib + " (carries mtuner_capture_, .MTuner") && line.contains("file deleted"), line);
    }
}
