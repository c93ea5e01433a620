package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HelloApp;
import dev.profguard.it.app.LoadApp;
import dev.profguard.it.app.PauseApp;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in rules against the real tools (Debian bookworm packages heaptrack, libjemalloc2,
 * libgoogle-perftools4, libc-devtools; async-profiler from Maven Central), each in a production
 * JVM: the right rule, and its strength (refuse: exit 78, main never runs; warn: one WARN, main runs).
 */
class OtherProfilersTest extends JvmTest {
    static final Path LIB = Path.of("/usr/lib/x86_64-linux-gnu");

    private Jvm production(Jdk jdk) {
        return Jvm.on(jdk, dir).agentArgs("env=production");
    }

    private static void assertRefused(Run run, String ruleText) {
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: ERROR " + ruleText + " found in this JVM"), line);
    }

    private static void assertWarned(Run run, String ruleText) {
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN " + ruleText + " found in this JVM"), line);
        assertTrue(line.contains("(strength=warn: warned about, never refused)"), line);
    }

    @OnEachJdk
    void heaptrackRunningTheJvmIsRefused(Jdk jdk) throws Exception {
        // heaptrack(1) itself: LD_PRELOAD of libheaptrack_preload.so and a pipe to its interpreter.
        Run run = production(jdk).wrappedIn(List.of("heaptrack")).run();
        assertRefused(run, "heaptrack");
        assertTrue(run.onlyProfguardLine().contains("libheaptrack_preload.so defines heaptrack_init"), run.toString());
    }

    @OnEachJdk
    void heaptrackInjectedWithPidIsSwitchedOffInPlace(Jdk jdk) throws Exception {
        // gdb's call into the JVM is abandoned when one of the JVM's own signals (its safepoint and
        // null-check SIGSEGVs) arrives meanwhile: then nothing was injected, and it is tried again
        // on a new JVM. A bounded number of tries, each bounded in time.
        for (int attempt = 1; ; attempt++) {
            List<String> command = List.of(jdk.java().toString(),
                    "-javaagent:" + Jvm.AGENT + "=env=production,watch.interval=300ms", "-XX:+DisableAttachMechanism",
                    "-cp", Jvm.codeSource(HelloApp.class).toString(), PauseApp.class.getName(), "60000");
            try (RunningJvm app = new RunningJvm(command, Map.of(), dir)) {
                // heaptrack --pid: gdb attaches, dlopens libheaptrack_inject.so and calls heaptrack_inject().
                Path output = dir.resolve("heaptrack-" + attempt + ".out");
                Process heaptrack = new ProcessBuilder("heaptrack", "--pid", Long.toString(app.process.pid()))
                        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (!app.stderr().contains("heaptrack_stop()") && app.process.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                boolean finished = heaptrack.waitFor(30, TimeUnit.SECONDS);
                if (!finished) {
                    heaptrack.descendants().forEach(ProcessHandle::destroyForcibly);
                    heaptrack.destroyForcibly();
                }
                String said = Files.readString(output);
                if (said.contains("was signaled while in a function called from GDB") && attempt < 3) {
                    continue;
                }
                assertTrue(finished, "heaptrack ended once switched off: " + said);
                List<String> lines = app.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
                assertEquals(1, lines.size(), app.stderr() + "\nheaptrack: " + said);
                assertTrue(lines.get(0).startsWith("profguard: WARN heaptrack found in this running JVM after start-up"), lines.get(0));
                assertTrue(lines.get(0).contains("libheaptrack_inject.so"), lines.get(0));
                assertTrue(lines.get(0).contains("called heaptrack_stop() in"), lines.get(0));
                assertTrue(app.process.isAlive(), "switched off, the JVM goes on");
                return;
            }
        }
    }

    @OnEachJdk
    void gperftoolsHeapProfilerIsRefusedOnlyWhereTcmallocCanRunIt(Jdk jdk) throws Exception {
        Path prefix = dir.resolve("heap-profile");
        Run profiling = production(jdk).env("LD_PRELOAD", LIB.resolve("libtcmalloc.so.4").toString())
                .env("HEAPPROFILE", prefix.toString()).run();
        assertRefused(profiling, "gperftools' heap profiler");
        assertTrue(profiling.onlyProfguardLine().contains("HEAPPROFILE (matches *: switched on, " + LIB + "/libtcmalloc.so"),
                profiling.toString());
        // Without tcmalloc the variable switches nothing on: a sign, warned about.
        Run inert = production(jdk).env("HEAPPROFILE", prefix.toString()).run();
        assertEquals(0, inert.exitStatus(), inert.toString());
        assertTrue(inert.onlyProfguardLine().startsWith("profguard: WARN signs of gperftools' heap profiler"), inert.toString());
    }

    @OnEachJdk
    void tcmallocLoadedLaterWhileHeapprofileIsSetIsRefusedByTheGate(Jdk jdk) throws Exception {
        Run run = production(jdk).env("HEAPPROFILE", dir.resolve("heap-profile").toString())
                .main(LoadApp.class, "System.load", LIB.resolve("libtcmalloc.so.4").toString()).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("REFUSED profguard:"), run.toString());
        List<String> lines = run.profguardLines();
        assertEquals(2, lines.size(), run.toString());
        assertTrue(lines.get(0).startsWith("profguard: WARN signs of gperftools' heap profiler"), lines.get(0));
        assertTrue(lines.get(1).startsWith("profguard: ERROR") && lines.get(1).contains("gperftools' heap profiler")
                && lines.get(1).contains("HEAPPROFILE matches *"), lines.get(1));
    }

    @OnEachJdk
    void aVariableUnsetAfterStartIsStillSeen(Jdk jdk) throws Exception {
        // A preloaded constructor unsets MALLOC_CONF before the JVM reads its environment.
        Run run = production(jdk).env("LD_PRELOAD", LIB.resolve("libjemalloc.so.2") + " " + Jvm.fixture("libunsetenv-early.so"))
                .env("MALLOC_CONF", "prof:true").env("UNSETENV_NAME", "MALLOC_CONF").run();
        assertWarned(run, "jemalloc's heap profiler");
    }

    @OnEachJdk
    void gperftoolsCpuProfilerIsWarned(Jdk jdk) throws Exception {
        Run run = production(jdk).env("LD_PRELOAD", LIB.resolve("libprofiler.so.0").toString())
                .env("CPUPROFILE", dir.resolve("cpu.prof").toString()).run();
        assertWarned(run, "gperftools' CPU profiler");
    }

    @OnEachJdk
    void jemallocWithHeapProfilingIsWarned(Jdk jdk) throws Exception {
        Run run = production(jdk).env("LD_PRELOAD", LIB.resolve("libjemalloc.so.2").toString())
                .env("MALLOC_CONF", "background_thread:false,prof:true,prof_prefix:" + dir.resolve("jeprof")).run();
        assertWarned(run, "jemalloc's heap profiler");
        assertTrue(run.onlyProfguardLine().contains("MALLOC_CONF (matches *prof:true*"), run.toString());
        assertFalse(run.onlyProfguardLine().contains("jeprof"), "the variable's value is not put in evidence");
    }

    @OnEachJdk
    void jemallocProfilingSwitchedOnWithoutAVariableIsAskedOfJemalloc(Jdk jdk) throws Exception {
        // A malloc_conf symbol compiled in (here: preloaded before jemalloc) turns profiling on.
        Run run = production(jdk).env("LD_PRELOAD", Jvm.fixture("libmalloc-conf.so") + " " + LIB.resolve("libjemalloc.so.2"))
                .run();
        assertWarned(run, "jemalloc's heap profiler");
        assertTrue(run.onlyProfguardLine().contains("opt.prof true, as the allocator itself reports it (mallctl)"),
                run.toString());
    }

    @OnEachJdk
    void bytehoundIsRefusedAndSwitchedOffWithItsOwnStop(Jdk jdk) throws Exception {
        // bytehound is not packaged: a gcc-built stand-in with its exported C API (it-tests/src/test/c).
        Run refused = production(jdk).env("LD_PRELOAD", Jvm.fixture("libbytehound.so").toString()).run();
        assertRefused(refused, "bytehound");
        assertTrue(refused.onlyProfguardLine().contains("defines memory_profiler_start"), refused.toString());
        Path stopped = dir.resolve("stopped");
        Run neutralized = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize")
                .env("LD_PRELOAD", Jvm.fixture("libbytehound.so").toString()).env("STANDIN_STOPPED_FILE", stopped.toString()).run();
        assertEquals(0, neutralized.exitStatus(), neutralized.toString());
        assertTrue(neutralized.mainRan(), neutralized.toString());
        assertTrue(neutralized.onlyProfguardLine().contains("called memory_profiler_stop()"), neutralized.toString());
        assertTrue(Files.exists(stopped), "its own memory_profiler_stop ran");
    }

    @OnEachJdk
    void memusagePreloadedIsRefused(Jdk jdk) throws Exception {
        Run run = production(jdk).env("LD_PRELOAD", LIB.resolve("libmemusage.so").toString()).run();
        assertRefused(run, "glibc's memusage");
    }

    @OnEachJdk
    void mallocDebugWithMtraceIsWarned(Jdk jdk) throws Exception {
        Run run = production(jdk).env("LD_PRELOAD", LIB.resolve("libc_malloc_debug.so.0").toString())
                .env("MALLOC_TRACE", dir.resolve("mtrace.log").toString()).run();
        assertWarned(run, "glibc's malloc debugging (mtrace, mcheck)");
    }

    @OnEachJdk
    void asyncProfilerAsAgentpathIsWarned(Jdk jdk) throws Exception {
        Run run = production(jdk).option("-agentpath:" + asyncProfiler(dir)).run();
        assertWarned(run, "async-profiler");
        assertTrue(run.onlyProfguardLine().contains("defines asprof_init"), run.toString());
    }

    @OnEachJdk
    void jdwpServerIsRefusedAndNmtDetailWarned(Jdk jdk) throws Exception {
        Run jdwp = production(jdk).option("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0").run();
        assertRefused(jdwp, "a JDWP debugger port");
        Run nmt = production(jdk).option("-XX:NativeMemoryTracking=detail").run();
        assertWarned(nmt, "Native Memory Tracking in detail mode");
        // A debugger that connects out (server=n) and NMT's summary mode are no finding.
        Run fine = production(jdk).option("-XX:NativeMemoryTracking=summary").option("-Xdebug").run();
        assertEquals(0, fine.exitStatus(), fine.toString());
        assertEquals(List.of(), fine.profguardLines(), fine.toString());
    }

    @OnEachJdk
    void aHiddenHeapHookRewrittenIntoLibjvmIsFoundByTheSlotAudit(Jdk jdk) throws Exception {
        // Its JNI_OnLoad rewrites libjvm.so's GOT slot for free; it exports nothing else and is named like nothing.
        Path hook = Jvm.fixture("libfastpath.so");
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(),
                "-javaagent:" + Jvm.AGENT + "=env=production,watch.interval=300ms", "-XX:+DisableAttachMechanism"));
        if (!jdk.name().equals("JDK 17")) {
            command.add("--enable-native-access=ALL-UNNAMED"); // the app's own load is a restricted call on 24+
        }
        command.addAll(List.of("-cp", Jvm.codeSource(HelloApp.class).toString(), LoadApp.class.getName(),
                "load-then-pause", hook.toString()));
        try (RunningJvm app = new RunningJvm(command, Map.of(), dir)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!app.stderr().contains("profguard:") && app.process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(app.stdout().contains("LOADED"), "the file itself is clean: the gate lets it load; " + app.stdout());
            List<String> lines = app.stderr().lines().filter(l -> l.startsWith("profguard:")).toList();
            assertEquals(1, lines.size(), app.stderr());
            assertTrue(lines.get(0).startsWith("profguard: ERROR a heap hook rewritten into libjvm.so found in this running JVM"),
                    lines.get(0));
            assertTrue(lines.get(0).contains(hook + " (libjvm.so's GOT slot for free points into it"), lines.get(0));
        }
    }

    @OnEachJdk
    void aJvmStartedUnderAPtraceTracerIsWarned(Jdk jdk) throws Exception {
        Run run = production(jdk).wrappedIn(List.of("strace", "-f", "-o", "/dev/null")).run();
        assertWarned(run, "a ptrace-based tracer or debugger");
        assertTrue(run.onlyProfguardLine().contains("(strace) through ptrace"), run.toString());
    }

    @OnEachJdk
    void checkSeesJdwpAndAHeapProfilerInAnotherProcess(Jdk jdk) throws Exception {
        List<String> command = new ArrayList<>(List.of(jdk.java().toString(),
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0",
                "-cp", Jvm.codeSource(HelloApp.class).toString(), PauseApp.class.getName(), "60000"));
        Map<String, String> env = Map.of("LD_PRELOAD", LIB.resolve("libtcmalloc.so.4").toString(),
                "HEAPPROFILE", dir.resolve("heap").toString());
        try (RunningJvm app = new RunningJvm(command, env, dir)) {
            AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(app.process.pid()),
                    "--env", "production", "--format", "json");
            assertEquals(1, check.status(), check.toString());
            assertTrue(check.stdout().contains("\"rule\":\"jdwp-server\""), check.toString());
            assertTrue(check.stdout().contains("\"rule\":\"gperftools-heap\""), check.toString());
        }
    }

    @OnEachJdk
    void scanNamesEachToolsRealFilesWithItsRule(Jdk jdk) throws Exception {
        // Valgrind and the sanitizer runtimes are checked on their real files (a JVM under valgrind
        // would take minutes); the others as well, beside their JVM tests.
        Path valgrind = Path.of("/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so");
        AgentCommand scan = AgentCommand.run(jdk, dir, "scan", "--format", "json", valgrind.toString(),
                LIB.resolve("libasan.so.8").toString(), "/usr/lib/heaptrack/libheaptrack_preload.so",
                LIB.resolve("libmemusage.so").toString(), asyncProfiler(dir).toString());
        assertEquals(1, scan.status(), scan.toString());
        for (String rule : List.of("valgrind", "sanitizer-runtime", "heaptrack", "glibc-memusage", "async-profiler")) {
            assertTrue(scan.stdout().contains("\"rule\":\"" + rule + "\""), rule + ": " + scan);
        }
    }

    /** async-profiler's linux-x64 library, from the Maven Central jar on the test class path. */
    static Path asyncProfiler(Path dir) throws Exception {
        Path profiler = dir.resolve("libasyncProfiler.so");
        if (!Files.exists(profiler)) {
            try (InputStream in = OtherProfilersTest.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
                Files.copy(in, profiler);
            }
        }
        return profiler;
    }
}
