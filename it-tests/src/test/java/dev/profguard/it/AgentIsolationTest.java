package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.IsolationApp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard's classes are defined by a class loader of their own (dev.profguard.Agent), from the
 * jar's packs: the application's class loader finds none of them (a dev.profguard class of the
 * application's own is its own), and what the agent opens in java.base is not opened
 * to the application's module, also after the gate ran a load (where it opens jdk.internal.loader).
 */
class AgentIsolationTest extends JvmTest {
    @OnEachJdk
    void theApplicationReachesNeitherTheGuardNorWhatItOpened(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").main(IsolationApp.class, Jvm.fixture("libbenign.so").toString());
        jvm.applicationNativeAccess(); // the application's own System.load
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("OPTIONS unreachable"), run.toString()); // not even a copy of its own
        assertTrue(!run.stdout().contains("OPTIONS dev.profguard"), run.toString());
        assertTrue(run.stdout().contains("LOADER-INTERNALS closed"), run.toString());
        assertTrue(run.stdout().contains("BRIDGE-HOOK closed"), run.toString());
    }

    /**
     * When the agent's own loader cannot start from its pack of start classes (here: the first
     * class of the pack, Guard, corrupted in a copy of the jar), the guard starts from the jar's
     * pack of all classes and says so in one WARN, never silently: and it still refuses a client.
     */
    @OnEachJdk
    void anOwnLoaderThatCannotStartIsToldAndTheGuardStillRuns(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks(true, false);
        Run clean = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").run();
        assertEquals(0, clean.exitStatus(), clean.toString());
        assertTrue(clean.mainRan(), clean.toString());
        assertTrue(clean.onlyProfguardLine().startsWith("profguard: WARN the agent's own class loader could not start from its start classes ("),
                clean.toString());
        assertTrue(clean.onlyProfguardLine().contains("the guard runs from the jar's full class pack instead"), clean.toString());
        Run client = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").preload("libmtuner_standin.so").run();
        assertEquals(78, client.exitStatus(), client.toString());
    }

    /**
     * When neither pack can start the guard (Guard corrupted in both), the agent jar is damaged:
     * main never runs, one ERROR line, exit status 64, in any environment; never a JVM that runs
     * on as if guarded.
     */
    @OnEachJdk
    void aDamagedAgentJarStopsTheJvmWithOneError(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks(true, true);
        for (String env : new String[]{"production", "staging"}) {
            Run run = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=" + env).run();
            assertEquals(64, run.exitStatus(), run.toString());
            assertTrue(!run.mainRan(), run.toString());
            assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR the agent jar " + jar + " is damaged ("), run.toString());
            assertTrue(run.onlyProfguardLine().endsWith("the guard cannot run; exit status 64. Reinstall the agent jar."), run.toString());
        }
    }

    /**
     * A copy of the agent jar with Guard's class file changed: in the pack of start classes (its
     * first, the magic number), in the pack of all classes (its compressed data, which then fails
     * its checksum), or both.
     */
    private Path jarWithCorruptPacks(boolean start, boolean all) throws IOException {
        Path copy = dir.resolve("corrupt-pack-agent-" + start + "-" + all + ".jar");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Jvm.AGENT));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(copy))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] bytes = in.readAllBytes();
                if (start && entry.getName().equals(AgentJarClasses.START)) {
                    int nameLength = (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff);
                    bytes[2 + nameLength + 4] ^= 0x55; // CAFEBABE no more
                }
                if (all && entry.getName().equals(AgentJarClasses.ALL)) {
                    ByteBuffer pack = ByteBuffer.wrap(bytes);
                    int indexLength = pack.getInt();
                    while (pack.position() < 4 + indexLength) {
                        byte[] name = new byte[pack.getShort() & 0xffff];
                        pack.get(name);
                        int offset = pack.getInt();
                        int deflated = pack.getInt();
                        pack.getInt();
                        if (new String(name, StandardCharsets.US_ASCII).equals("dev.profguard.Guard")) {
                            bytes[4 + indexLength + offset + deflated / 2] ^= 0x55;
                        }
                    }
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        return copy;
    }
}
