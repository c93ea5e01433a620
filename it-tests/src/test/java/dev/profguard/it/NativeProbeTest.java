package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HeapApp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native probe in real JVMs: what it finds that Java cannot, neutralize, and its fallbacks. */
class NativeProbeTest extends JvmTest {
    /** The stand-in copied under a new name into the test's directory (some variants delete themselves). */
    private Path copy(String fixture, String as) throws IOException {
        return Files.copy(Jvm.fixture(fixture), dir.resolve(as));
    }

    @OnEachJdk
    void renamedClientIsFoundByTheDynamicLinker(Jdk jdk) throws Exception {
        Path lib = copy("libmtuner_standin.so", "libcompress-helper.so");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("LD_PRELOAD", lib.toString()).run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("loaded object " + lib + " defines rmemInit, rmemShutDown"), line);
        assertTrue(line.contains("per the dynamic linker; loaded in this JVM; it provides malloc, free, calloc, realloc"), line);
    }

    @OnEachJdk
    void clientDeletedFromDiskAfterLoadingIsStillFound(Jdk jdk) throws Exception {
        Path lib = copy("libself-deleting.so", "libgone.so");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("LD_PRELOAD", lib.toString()).run();
        assertFalse(Files.exists(lib), "the library deleted its own file");
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("loaded object " + lib + " defines rmemInit"), run.toString());
    }

    @OnEachJdk
    void hiddenStrippedClientIsRefusedByWhatItsCodeCarries(Jdk jdk) throws Exception {
        Path lib = copy("libhidden-helper.so", "libhidden-helper.so");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("LD_PRELOAD", lib.toString()).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("loaded object " + lib + " (carries mtuner_capture_, .MTuner though it exports none of the "
                + "client's symbols (hidden or stripped); loaded in this JVM)"), line);
        Run javaOnly = Jvm.on(jdk, dir).agentArgs("env=production,probe=off").env("LD_PRELOAD", lib.toString()).run();
        assertEquals(78, javaOnly.exitStatus(), "without the probe, the file's content gives it away\n" + javaOnly);
        assertTrue(javaOnly.onlyProfguardLine().contains("LD_PRELOAD=" + lib + " (carries mtuner_capture_, .MTuner"));
    }

    @OnEachJdk
    void zeroFilledSegmentAloneIsOnlyWarnedAbout(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").preload("libbigbss.so").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        assertTrue(run.onlyProfguardLine().contains("a zero-filled segment of 1568 MiB, as large as the client's"),
                run.toString());
    }

    @OnEachJdk
    void neutralizeSwitchesTheClientOffAndMainRuns(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize,capture.files=keep")
                .preload("libmtuner_standin.so").main(HeapApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + Jvm.fixture("libmtuner_standin.so")),
                line);
        assertTrue(line.matches(".*capture file \\S+mtuner_capture_\\d+\\.MTuner was open, closed, \\d+ bytes, kept "
                + "\\(capture.files=keep\\).*"), line);
        String[] capture = run.stdout().lines().filter(l -> l.startsWith("CAPTURE ")).findFirst().orElseThrow().split(" ");
        assertEquals(capture[1], capture[2], "the capture file stopped growing while main made heap calls\n" + run);
        assertEquals("0", capture[3], "no capture file is open in main\n" + run);
        assertTrue(Long.parseLong(capture[1]) > 0, "the client had written before it was switched off");
    }

    @OnEachJdk
    void neutralizeDeletesTheCaptureFileByDefault(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize")
                .preload("libmtuner_standin.so").main(HeapApp.class).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().matches(".*capture file \\S+\\.MTuner was open, closed, \\d+ bytes, deleted.*"),
                "deleted by default\n" + run);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".MTuner")).toList());
        }
    }

    @OnEachJdk
    void hiddenClientCannotBeSwitchedOffSoNeutralizeRefuses(Jdk jdk) throws Exception {
        Path lib = copy("libhidden-helper.so", "libhidden-helper.so");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize").env("LD_PRELOAD", lib.toString()).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        assertTrue(run.onlyProfguardLine().contains("(action=neutralize, but it could not be switched off: " + lib
                + ": its rmemShutDown is hidden (not exported), so it cannot be called)"), run.toString());
    }

    @OnEachJdk
    void corruptEmbeddedProbeFallsBackWithAWarningOrRefusesWhenRequired(Jdk jdk) throws Exception {
        Path jar = corruptedAgentJar();
        Run auto = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").run();
        assertEquals(0, auto.exitStatus(), auto.toString());
        assertTrue(auto.mainRan());
        assertTrue(auto.onlyProfguardLine().startsWith("profguard: WARN native probe not loaded: the probe library in "
                + "the agent jar is corrupt (CRC-32 "), auto.toString());
        Run stillGuarded = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").preload("libcompress-helper.so").run();
        assertEquals(78, stillGuarded.exitStatus(), "the pure-Java checks carry on\n" + stillGuarded);
        Run required = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production,probe=required").run();
        assertEquals(78, required.exitStatus(), required.toString());
        assertFalse(required.mainRan());
        assertTrue(required.onlyProfguardLine().startsWith("profguard: ERROR native probe not loaded: the probe library "
                + "in the agent jar is corrupt"), required.toString());
        assertTrue(required.onlyProfguardLine().contains("probe=required: main will not run, exit status 78"));
    }

    @OnEachJdk
    void unsupportedPlatformFallsBackOrRefusesWhenRequired(Jdk jdk) throws Exception {
        Run auto = Jvm.on(jdk, dir).option("-Dos.arch=aarch64").agentArgs("env=production").run();
        assertEquals(0, auto.exitStatus(), auto.toString());
        assertTrue(auto.onlyProfguardLine().startsWith(
                "profguard: WARN native probe not loaded: no native probe for linux/aarch64 (only linux-x86_64)"), auto.toString());
        Run required = Jvm.on(jdk, dir).option("-Dos.arch=aarch64").agentArgs("env=production,probe=required").run();
        assertEquals(78, required.exitStatus(), required.toString());
        assertFalse(required.mainRan());
        Run off = Jvm.on(jdk, dir).option("-Dos.arch=aarch64").agentArgs("env=production,probe=off").run();
        assertEquals("", off.stderr(), "probe=off: nothing to say\n" + off);
    }

    @Test
    void jdk25WithNativeAccessDeniedStillLoadsTheProbeSilently() throws Exception {
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        Run run = Jvm.on(jdk25, dir).option("--illegal-native-access=deny").agentArgs("env=production,probe=required").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan());
        assertEquals("", run.stderr(), "no warning, and probe=required did not refuse: the probe loaded\n" + run);
    }

    /**
     * A copy of the agent jar whose embedded probe library has one byte changed after the jar was
     * written, as a bad disk or transfer would (the jar's record of the entry left as it was): the
     * library is stored uncompressed in the copy, so that the changed byte is the library's own.
     */
    private Path corruptedAgentJar() throws IOException {
        Path copy = dir.resolve("corrupt-agent.jar");
        byte[] library = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Jvm.AGENT));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                ZipEntry written = new ZipEntry(entry.getName());
                if (entry.getName().endsWith("/libprofguard_probe.so")) {
                    library = bytes;
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(bytes);
                    written.setMethod(ZipEntry.STORED);
                    written.setSize(bytes.length);
                    written.setCrc(crc.getValue());
                }
                out.putNextEntry(written);
                out.write(bytes);
                out.closeEntry();
            }
        }
        byte[] jar = Files.readAllBytes(copy);
        int at = indexOf(jar, java.util.Arrays.copyOf(library, 256));
        assertTrue(at > 0, "the library stands in the jar as it is");
        jar[at + library.length / 2] ^= 0x5a;
        Files.write(copy, jar);
        return copy;
    }

    private static int indexOf(byte[] in, byte[] part) {
        for (int i = 0; i + part.length <= in.length; i++) {
            if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The gate reads the JDK's loaders from the runtime image through the probe (the JVM's own
     * libjimage): the bytes are the ones the JDK itself reads for the class.
     */
    @OnEachJdk
    void readsClassFilesOfTheRuntimeImageAsTheJdkDoes(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=staging,probe=off").main(dev.profguard.it.app.ImageClassApp.class)
                .classpath(AgentJarTest.SHADED); // the app uses the agent's classes itself: the agent jar holds them in packs
        jvm.applicationNativeAccess(); // the app loads the probe itself, without an Instrumentation
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("SAME"), run.toString());
        assertTrue(run.stdout().contains("MISSING null"), run.toString());
        assertTrue(run.stdout().contains("NEVER-REDEFINED true"), run.toString());
    }
}
