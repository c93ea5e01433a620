package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.IsolationApp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's classes are defined by a class loader of their own (dev.profguard.Agent): the application's
 * dev.profguard classes are its own copies, and what the agent opens in java.base is not opened
 * to the application's module, also after the gate ran a load (where it opens jdk.internal.loader).
 */
class AgentIsolationTest extends JvmTest {
    @OnEachJdk
    void theApplicationReachesNeitherTheGuardNorWhatItOpened(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").main(IsolationApp.class, Jvm.fixture("libbenign.so").toString());
        jvm.applicationNativeAccess(); // the application's own System.load
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("OPTIONS null"), run.toString());
        assertTrue(run.stdout().contains("LOADER-INTERNALS closed"), run.toString());
        assertTrue(run.stdout().contains("BRIDGE-HOOK closed"), run.toString());
    }

    /**
     * When the agent's own loader cannot start (here: the first class of the build's pack, Guard,
     * corrupted in a copy of the jar), the guard runs in the application's loader and says so in
     * one WARN, never silently: and it still refuses a client.
     */
    @OnEachJdk
    void anOwnLoaderThatCannotStartIsToldAndTheGuardStillRuns(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPack();
        Run clean = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").run();
        assertEquals(0, clean.exitStatus(), clean.toString());
        assertTrue(clean.mainRan(), clean.toString());
        assertTrue(clean.onlyProfguardLine().startsWith("profguard: WARN the agent's own class loader could not start ("),
                clean.toString());
        assertTrue(clean.onlyProfguardLine().contains("the guard runs in the application's class loader instead"), clean.toString());
        Run client = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").preload("libmtuner_standin.so").run();
        assertEquals(78, client.exitStatus(), client.toString());
    }

    /** A copy of the agent jar whose pack of start classes has its first class file's magic number changed. */
    private Path jarWithCorruptPack() throws IOException {
        Path copy = dir.resolve("corrupt-pack-agent.jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Jvm.AGENT));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().equals("META-INF/profguard/start-classes.bin")) {
                    int nameLength = (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff);
                    bytes[2 + nameLength + 4] ^= 0x55; // CAFEBABE no more
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return copy;
    }
}
