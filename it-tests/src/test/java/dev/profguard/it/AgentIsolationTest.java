package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.IsolationApp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
        Path jar = jarWithCorruptPacks("dev.profguard.Guard", true, false);
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
        Path jar = jarWithCorruptPacks("dev.profguard.Guard", true, true);
        for (String env : new String[]{"production", "staging"}) {
            Run run = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=" + env).run();
            assertEquals(64, run.exitStatus(), run.toString());
            assertTrue(!run.mainRan(), run.toString());
            assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR the agent jar " + jar + " is damaged ("), run.toString());
            assertTrue(run.onlyProfguardLine().endsWith("the guard cannot run; exit status 64. Reinstall the agent jar."), run.toString());
        }
    }

    /**
     * Red team, round 8: a class of the start pack that is not the first (Config) damaged. The
     * pack's CRC-32 is checked when it is read, so the guard starts from the pack of all classes
     * with the WARN, rather than failing half-way and letting main run unguarded.
     */
    @OnEachJdk
    void anyDamageInThePackOfStartClassesIsFoundWhenItIsRead(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks("dev.profguard.config.Config", true, false);
        Run client = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").preload("libmtuner_standin.so").run();
        assertEquals(78, client.exitStatus(), client.toString());
        assertTrue(client.stderr().contains("profguard: WARN the agent's own class loader could not start from its start "
                + "classes (its pack of start classes is damaged)"), client.toString());
    }

    /**
     * A clean start, the watcher's thread included, never reads the pack of all classes (until the
     * watcher's first look, an interval later): with it damaged (checked whole when its first class
     * is needed, it would say so), a clean production start prints nothing. The watcher's thread
     * loads its class after premain may have returned: the pack of start classes is kept until it
     * has (it raced, on JDK 25, and then read the pack of all classes beside main).
     */
    @OnEachJdk
    void aCleanStartNeverReadsThePackOfAllClasses(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks("dev.profguard.detect.Evidence", false, true);
        Run run = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production,watch.interval=10m")
                .main(dev.profguard.it.app.PauseApp.class, "1000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertEquals(java.util.List.of(), run.profguardLines(), run.toString());
    }

    /**
     * Red team, round 8: a class only a finding needs (Evidence), damaged in the pack of all
     * classes. At start-up, with a client to judge: the damaged jar's ERROR and exit status 64,
     * not "internal error, main runs". Later, at the gate: the load is refused, not let through.
     */
    @OnEachJdk
    void aClassTheJarCannotGiveWhenItIsNeededIsADamagedJarNeverAPass(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks("dev.profguard.detect.Evidence", false, true);
        Run atStart = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production").preload("libmtuner_standin.so").run();
        assertEquals(64, atStart.exitStatus(), atStart.toString());
        assertTrue(!atStart.mainRan(), atStart.toString());
        assertTrue(atStart.onlyProfguardLine().startsWith("profguard: ERROR the agent jar is damaged ("), atStart.toString());
        Jvm late = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production,watch.interval=10m")
                .main(dev.profguard.it.app.LoadApp.class, "System.load", Jvm.fixture("libmtuner_standin.so").toString());
        late.applicationNativeAccess();
        Run gate = late.run();
        assertTrue(gate.mainRan(), gate.toString());
        // the pack is checked whole when its first class is needed: the gate's own then fails too
        assertEquals(64, gate.exitStatus(), gate.toString());
        assertTrue(gate.onlyProfguardLine().startsWith("profguard: ERROR the agent jar is damaged ("), gate.toString());
        assertTrue(!gate.stdout().contains("LOADED") && !gate.stdout().contains("REFUSED"), gate.toString());
    }

    /**
     * Red team, round 9: the gate's own class (LoadGate) damaged in the full pack made every
     * library load fail with a raw NoClassDefFoundError, the JDK's own included, and said nothing.
     * In production: the damaged jar's ERROR and exit 64 at the first load; elsewhere (the guard
     * only warns there) the line once, and loads run.
     */
    @OnEachJdk
    void aGateThatCannotBeReadEndsAProductionJvmAndOnlyWarnsElsewhere(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks("dev.profguard.runtime.LoadGate", false, true);
        for (String env : new String[]{"production", "staging"}) {
            Jvm jvm = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=" + env + ",watch.interval=10m")
                    .main(dev.profguard.it.app.LoadApp.class, "System.load", Jvm.fixture("libbenign.so").toString());
            jvm.applicationNativeAccess();
            Run run = jvm.run();
            assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR the agent jar is damaged (java.lang.NoClassDefFoundError: "
                    + "dev/profguard/runtime/LoadGate"), run.toString());
            if (env.equals("production")) {
                assertEquals(64, run.exitStatus(), run.toString());
                assertTrue(!run.stdout().contains("LOADED"), run.toString());
            } else {
                assertEquals(0, run.exitStatus(), run.toString());
                assertTrue(run.stdout().contains("LOADED"), run.toString());
            }
        }
    }

    /**
     * Red team, round 9: a class only the handling of a late client needs (Neutralizer), damaged:
     * the application's System.load died of a raw NoClassDefFoundError with the client mapped, or
     * the watcher said only "failed once". In production the JVM ends with the damaged jar's ERROR
     * and 64 (as for a file swapped under the gate); outside production the line, and the load ran.
     */
    @OnEachJdk
    void whatALoadBroughtInThatTheJarCannotJudgeIsNeverLeftRunningInProduction(Jdk jdk) throws Exception {
        Path jar = jarWithCorruptPacks("dev.profguard.act.Neutralizer", false, true);
        for (String env : new String[]{"production", "staging"}) {
            Jvm late = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=" + env + ",watch.interval=10m")
                    .env("ONLOAD_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString())
                    .main(dev.profguard.it.app.LoadApp.class, "System.load", Jvm.fixture("libjni-onload-dlopen.so").toString());
            late.applicationNativeAccess();
            Run run = late.run();
            if (env.equals("production")) {
                // the pack is checked whole when its first class is needed: whichever class fails first says so
                assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR the agent jar is damaged (java.lang.NoClassDefFoundError: "
                        + "dev/profguard/"), run.toString());
                assertEquals(64, run.exitStatus(), run.toString());
                assertTrue(!run.stdout().contains("LOADED") && !run.stdout().contains("REFUSED"), run.toString());
            } else { // outside production the guard only warns: the damaged jar's line, and the load ran
                assertEquals(0, run.exitStatus(), run.toString());
                assertTrue(run.stderr().contains("profguard: ERROR the agent jar is damaged ("), run.toString());
                assertTrue(run.stdout().contains("LOADED"), run.toString());
            }
        }
    }

    /**
     * The agent finds its jar from its code source's URL, taken as it is when nothing in it is
     * escaped: under a path that needs escapes (a space, %, #, a non-ASCII letter) it still finds
     * its packs and its probe (no "probe not loaded" WARN) and refuses a client.
     */
    @OnEachJdk
    void aJarUnderAPathThatNeedsEscapesStillFindsItselfAndItsProbe(Jdk jdk) throws Exception {
        Path odd = Files.createDirectories(dir.resolve("a b%20c#d-\u00fc"));
        Path jar = Files.copy(Jvm.AGENT, odd.resolve("profguard agent.jar"));
        Run clean = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production,probe=required").run();
        assertEquals(0, clean.exitStatus(), clean.toString());
        assertEquals(java.util.List.of(), clean.profguardLines(), clean.toString());
        Run client = Jvm.on(jdk, dir).agentJar(jar).agentArgs("env=production,probe=required").preload("libmtuner_standin.so").run();
        assertEquals(78, client.exitStatus(), client.toString());
    }

    /**
     * A copy of the agent jar with one class file's bytes changed where they lie in the jar file,
     * as a disk or a copy over a running jar damages it (the entries' CRC-32 in the jar's directory
     * no longer match): in the pack of start classes (its first byte, the magic number), in the
     * pack of all classes (a byte of its compressed data, which then fails its checksum), or both.
     */
    private Path jarWithCorruptPacks(String className, boolean start, boolean all) throws IOException {
        byte[] jar = Files.readAllBytes(Jvm.AGENT);
        if (start) {
            byte[] classFile = AgentJarClasses.start(Jvm.AGENT).get(className);
            assertTrue(classFile != null, className + " in the pack of start classes");
            jar[onlyPlace(jar, classFile)] ^= 0x55; // CAFEBABE no more
        }
        if (all) {
            ByteBuffer pack = ByteBuffer.wrap(AgentJarClasses.entry(Jvm.AGENT, AgentJarClasses.ALL));
            int indexLength = pack.getInt();
            byte[] data = null;
            while (pack.position() < 4 + indexLength) {
                byte[] name = new byte[pack.getShort() & 0xffff];
                pack.get(name);
                int offset = pack.getInt();
                int deflated = pack.getInt();
                pack.getInt();
                if (new String(name, StandardCharsets.US_ASCII).equals(className)) {
                    data = java.util.Arrays.copyOfRange(pack.array(), 4 + indexLength + offset, 4 + indexLength + offset + deflated);
                }
            }
            assertTrue(data != null, className + " in the pack of all classes");
            jar[onlyPlace(jar, data) + data.length / 2] ^= 0x55;
        }
        Path copy = dir.resolve("corrupt-" + className + "-" + start + "-" + all + ".jar");
        Files.write(copy, jar);
        return copy;
    }

    /** Where {@code part} lies in {@code whole}; fails unless it lies there exactly once. */
    private static int onlyPlace(byte[] whole, byte[] part) {
        int found = -1;
        for (int i = 0; i + part.length <= whole.length; i++) {
            if (java.util.Arrays.equals(whole, i, i + part.length, part, 0, part.length)) {
                assertTrue(found < 0, "found twice in the jar");
                found = i;
            }
        }
        assertTrue(found >= 0, "not found in the jar (stored packs are)");
        return found;
    }
}
