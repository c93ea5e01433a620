package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoadApp;
import dev.profguard.it.app.PauseApp;
import dev.profguard.it.app.SleepingApp;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every surface gives the same verdict on what slipped past the copies of the ladder before
 * (issue #10): names that are not text, section headers that lie, marks wiped from memory, paths
 * that climb out of a system directory, files that are not files, and check speaking for the
 * target's own options.
 */
class EvidenceEngineTest extends JvmTest {
    /** A shell prefix that sets LD_PRELOAD to DIR/lib\xff\xfe.so (bytes that are not UTF-8), then runs the JVM. */
    private List<String> preloadNonUtf8() {
        return List.of("bash", "-c", "export LD_PRELOAD=\"$0/$(printf 'lib\\377\\376.so')\"; exec \"$@\"", dir.toString());
    }

    private void copyToNonUtf8Name(String fixture) throws Exception {
        assertEquals(0, AgentCommand.shell(dir, "cp \"$1\" \"$2/$(printf 'lib\\377\\376.so')\"",
                Jvm.fixture(fixture).toString(), dir.toString()));
    }

    @OnEachJdk
    void aLibraryWhoseNameIsNotUtf8IsFoundWithAndWithoutTheProbe(Jdk jdk) throws Exception {
        copyToNonUtf8Name("libmtuner_standin.so");
        for (String probe : List.of("auto", "off")) {
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,probe=" + probe).wrappedIn(preloadNonUtf8()).run();
            assertEquals(78, run.exitStatus(), "probe=" + probe + "\n" + run);
            assertTrue(run.onlyProfguardLine().contains(dir + "/lib\\xff\\xfe.so defines rmemInit"), run.toString());
        }
    }

    @OnEachJdk
    void aLibraryWhoseNameIsNotUtf8DlopenedLaterIsSwitchedOff(Jdk jdk) throws Exception {
        copyToNonUtf8Name("libcompress-helper.so");
        List<String> wrapper = List.of("bash", "-c", "export LATE_DLOPEN=\"$0/$(printf 'lib\\377\\376.so')\"; exec \"$@\"",
                dir.toString());
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=300ms").wrappedIn(wrapper)
                .preload("liblate-dlopen.so").env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .main(PauseApp.class, "3000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("loaded object " + dir + "/lib\\xff\\xfe.so defines rmemInit"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + dir + "/lib\\xff\\xfe.so"), line);
    }

    @OnEachJdk
    void alteredSectionHeadersHideNothingOnAnySurface(Jdk jdk) throws Exception {
        for (String fixture : List.of("libsections-gone.so", "libdynsym-hidden.so")) {
            Path lib = Files.copy(Jvm.fixture(fixture), dir.resolve("libz-helper.so"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (String probe : List.of("auto", "off")) {
                Run run = Jvm.on(jdk, dir).agentArgs("env=production,probe=" + probe).env("LD_PRELOAD", lib.toString()).run();
                assertEquals(78, run.exitStatus(), fixture + ", probe=" + probe + "\n" + run);
                assertTrue(run.onlyProfguardLine().contains(lib + " defines rmemInit"), run.toString());
            }
            AgentCommand scan = AgentCommand.run(jdk, dir, "scan", lib.toString());
            assertEquals(1, scan.status(), fixture + "\n" + scan);
            Jvm gate = Jvm.on(jdk, dir).agentArgs("env=production").main(LoadApp.class, "System.load", lib.toString());
            gate.applicationNativeAccess();
            Run loaded = gate.run();
            assertTrue(loaded.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"),
                    fixture + "\n" + loaded);
            List<String> target = List.of(jdk.java().toString(), "-cp", Jvm.codeSource(SleepingApp.class).toString(),
                    SleepingApp.class.getName());
            try (RunningJvm app = new RunningJvm(target, Map.of("LD_PRELOAD", lib.toString()), dir)) {
                AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(app.process.pid()));
                assertEquals(1, check.status(), fixture + "\n" + check);
                assertTrue(check.stdout().contains(lib + " defines rmemInit"), check.toString());
            }
        }
    }

    @OnEachJdk
    void aHiddenClientWhoseMarksAreOnlyInItsFileIsRefusedWithTheProbeToo(Jdk jdk) throws Exception {
        Path lib = Files.copy(Jvm.fixture("libwiped-helper.so"), dir.resolve("libwiped-helper.so"));
        for (String probe : List.of("auto", "off")) {
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,probe=" + probe).env("LD_PRELOAD", lib.toString()).run();
            assertEquals(78, run.exitStatus(), "probe=" + probe + "\n" + run);
            assertTrue(run.onlyProfguardLine().contains("carries mtuner_capture_, .MTuner though it exports none of the "
                    + "client's symbols"), run.toString());
        }
    }

    @OnEachJdk
    void aPathThatClimbsOutOfASystemDirectoryIsNotTrustedAsOne(Jdk jdk) throws Exception {
        Path lib = Files.copy(Jvm.fixture("libhidden-helper.so"), dir.resolve("libhidden-helper.so"));
        String climbing = "/usr/lib/../.." + lib;
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,probe=off").env("LD_PRELOAD", climbing).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("carries mtuner_capture_, .MTuner"), run.toString());
    }

    @OnEachJdk
    void aDeviceInLdPreloadIsReportedNeverRead(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("LD_PRELOAD", "/dev/kmsg").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN could not complete the check of this JVM"), line);
        assertTrue(line.contains("/dev/kmsg") && line.contains("not a regular file (a FIFO, device or socket) where a "
                + "library is expected; not read"), line);
    }

    @OnEachJdk
    void aLiveFifoInLdPreloadIsReportedNeverRead(Jdk jdk) throws Exception {
        Path fifo = dir.resolve("preload.fifo");
        assertEquals(0, AgentCommand.shell(dir, "mkfifo \"$1\"", fifo.toString()));
        // A writer for the dynamic linker's open and read: it gets garbage and ignores the entry.
        Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(new byte[64]);
            } catch (Exception e) {
                // the test fails on the JVM's outcome instead
            }
        });
        writer.setDaemon(true);
        writer.start();
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").env("LD_PRELOAD", fifo.toString()).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        assertTrue(run.onlyProfguardLine().contains(fifo + " (not a regular file"), run.toString());
    }

    @OnEachJdk
    void aFifoAsRulesFileIsAMalformedOptionNeverRead(Jdk jdk) throws Exception {
        Path fifo = dir.resolve("rules.fifo");
        assertEquals(0, AgentCommand.shell(dir, "mkfifo \"$1\"", fifo.toString()));
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,rules=" + fifo).run();
        assertEquals(64, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("rules file " + fifo + " is not a regular file"), run.toString());
    }

    @OnEachJdk
    void checkJudgesTheTargetWithItsOwnOptions(Jdk jdk) throws Exception {
        Path lib = Files.copy(Jvm.fixture("libmtuner_standin.so"), dir.resolve("libcompress-helper.so"));
        String agent = "-javaagent:" + Jvm.AGENT;
        String app = SleepingApp.class.getName();
        String cp = Jvm.codeSource(SleepingApp.class).toString();
        String java = jdk.java().toString();
        Map<String, List<String>> commands = Map.of(
                "agent argument", List.of(java, agent + "=env=production,action=warn", "-cp", cp, app),
                "system property", List.of(java, agent, "-Dprofguard.env=production", "-Dprofguard.action=warn", "-cp", cp, app),
                "PROFGUARD_ENV", List.of(java, agent, "-cp", cp, app),
                "PROFGUARD_PRODUCTION", List.of(java, agent, "-cp", cp, app));
        Map<String, Map<String, String>> envs = Map.of(
                "agent argument", Map.of("LD_PRELOAD", lib.toString()),
                "system property", Map.of("LD_PRELOAD", lib.toString()),
                "PROFGUARD_ENV", Map.of("LD_PRELOAD", lib.toString(), "PROFGUARD_ENV", "production", "PROFGUARD_ACTION", "warn"),
                "PROFGUARD_PRODUCTION", Map.of("LD_PRELOAD", lib.toString(), "APP_ENV", "eu-live",
                        "PROFGUARD_PRODUCTION", "eu-live", "PROFGUARD_ACTION", "warn"));
        for (String way : commands.keySet()) {
            try (RunningJvm target = new RunningJvm(commands.get(way), envs.get(way), dir)) {
                AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(target.process.pid()),
                        "--format", "json");
                assertEquals(1, check.status(), way + "\n" + check + "\n" + target.stderr());
                assertTrue(check.stdout().contains("\"production\":true,\"guarded\":true"), way + "\n" + check);
                assertTrue(check.stdout().contains("\"verdict\":\"warn\""), "the target's own action=warn\n" + check);
                assertTrue(target.stderr().contains("production"), "the guard inside said production too\n" + target.stderr());
            }
        }
    }

    @OnEachJdk
    void checkSaysWhenTheTargetsGuardSwitchedTheClientOff(Jdk jdk) throws Exception {
        List<String> command = List.of(jdk.java().toString(), "-javaagent:" + Jvm.AGENT + "=env=production,action=neutralize",
                "-cp", Jvm.codeSource(SleepingApp.class).toString(), SleepingApp.class.getName());
        try (RunningJvm target = new RunningJvm(command, Map.of("LD_PRELOAD", Jvm.fixture("libmtuner_standin.so").toString()), dir)) {
            assertTrue(target.stderr().contains("switched off in place"), target.stderr());
            AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(target.process.pid()),
                    "--format", "json");
            assertEquals(0, check.status(), check.toString());
            assertTrue(check.stdout().contains("\"status\":\"switched_off\""), check.toString());
            assertTrue(check.stdout().contains("\"verdict\":\"neutralized\""), check.toString());
            assertFalse(check.stdout().contains("\"status\":\"found\""), check.toString());
        }
        // control: the same client without the guard is found
        List<String> bare = List.of(jdk.java().toString(), "-cp", Jvm.codeSource(SleepingApp.class).toString(),
                SleepingApp.class.getName());
        try (RunningJvm target = new RunningJvm(bare, Map.of("LD_PRELOAD", Jvm.fixture("libmtuner_standin.so").toString(),
                "APP_ENV", "production"), dir)) {
            AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(target.process.pid()));
            assertEquals(1, check.status(), check.toString());
        }
    }
}
