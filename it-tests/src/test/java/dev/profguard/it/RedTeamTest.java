package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.HostileApp;
import dev.profguard.it.app.PauseApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ways past the guard a red team found in this session's first build, each reproduced, each held
 * now: an application that interrupts the watcher, one that makes the watcher's making fail on its own thread, a client whose switch-off never returns, a client that hides from dl_iterate_phdr, and a forged published
 * state that made check report a client switched off in a JVM without the guard.
 */
class RedTeamTest extends JvmTest {
    /**
     * Red team, round 8: java.lang.ProfguardBridge is public, so the application can call it; its
     * answer "run the load" was a class of the guard, whose loader opened every guard class to
     * reflection (the options switched to "dev", a client loaded unseen). The answer is a JDK class.
     */
    @OnEachJdk
    void theBridgeAnswersTheApplicationWithNothingOfTheGuard(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").main(HostileApp.class, "call-bridge").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("BRIDGE-ANSWER LOADER boot"), run.toString());
    }

    /**
     * Red team, rounds 8 and 9: an application that replaces System's Properties with a subclass
     * had its getProperty called inside the guard and walked the stack to the guard's classes: by
     * the watcher (user.dir every fifth look), by the gate (os.arch, java.home, System.getenv's
     * first call), and by the JDK code the gate first used on its thread (MessageDigest's security
     * providers, to hash a file changed in the last seconds). And a thread the guard makes on the
     * application's thread (a switch-off) ran its InheritableThreadLocal.childValue.
     */
    @OnEachJdk
    void aPropertiesSubclassOfTheApplicationNeverRunsInsideTheGuard(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .main(HostileApp.class, "spy-properties", Jvm.fixture("libbenign.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("LOADED libbenign.so"), run.toString());
        assertTrue(run.stdout().contains("SPIED 0 []"), run.toString());
    }

    @OnEachJdk
    void noCallbackOfTheApplicationRunsInsideASwitchOffOnItsThread(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=100ms")
                .env("ONLOAD_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString())
                .main(HostileApp.class, "spy-properties", Jvm.fixture("libjni-onload-dlopen.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("It was switched off in place: called rmemShutDown()"), run.toString());
        assertTrue(run.stdout().contains("SPIED 0 []"), run.toString());
    }

    /**
     * Red team, round 10: a health write blocked for ever (in a Properties subclass of the
     * application) held the lock the shutdown hook waited on without a limit: the JVM never exited,
     * not even on SIGTERM. The hook waits at most 2 s.
     */
    @OnEachJdk
    void aHealthWriteThatNeverEndsDoesNotKeepTheJvmFromExiting(Jdk jdk) throws Exception {
        Path status = dir.resolve("status.json");
        long started = System.nanoTime();
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,status.file=" + status).main(HostileApp.class, "block-health").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("EXITING"), run.toString());
        assertTrue(System.nanoTime() - started < 60_000_000_000L, "exited in time");
    }

    @OnEachJdk
    void aWatcherInterruptedByTheApplicationKeepsWatching(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=200ms").preload("liblate-dlopen.so")
                .env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .main(HostileApp.class, "interrupt-watcher").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("INTERRUPTED 1"), run.toString());
        assertTrue(run.onlyProfguardLine().contains("It was switched off in place: called rmemShutDown()"), run.toString());
    }

    @OnEachJdk
    void aSwitchOffThatNeverReturnsIsARefusalNotAHang(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=neutralize").preload("libhang-helper.so").run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        assertTrue(run.onlyProfguardLine().contains("its rmemShutDown() did not return within 2000 ms"), run.toString());
    }

    @OnEachJdk
    void aClientHidingFromDlIteratePhdrIsFoundInTheLinkersOwnList(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").preload("libhiding-helper.so").run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("loaded object " + Jvm.fixture("libhiding-helper.so") + " defines rmemInit"),
                run.toString());
    }

    /**
     * Red team, round 11: a benign library the linker lists moves its file aside, copies the client
     * to its name, opens it there in a link-map namespace of its own and puts its file back; the
     * client's mappings read "NAME (deleted)" beside the library's "NAME". Mappings were merged and
     * matched to the linker's objects by name, so its code passed for the library's: at start-up the
     * full scan found nothing, after start-up the watcher said nothing. A file is its device and inode now.
     */
    private Jvm borrowingName(Jdk jdk, Path borrowed, String agentArgs) {
        return Jvm.on(jdk, dir).agentArgs(agentArgs).env("LD_PRELOAD", borrowed.toString())
                .env("LATE_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString())
                .env("LATE_BORROW_NAME", borrowed.toString()).env("LATE_RECORD", "1");
    }

    @OnEachJdk
    void aClientUnderTheNameOfALoadedLibraryIsRefusedAtStartUp(Jdk jdk) throws Exception {
        Path borrowed = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libborrowed.so"));
        Run run = borrowingName(jdk, borrowed, "env=production").env("LATE_DLOPEN_TRIGGER", "now").run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("mapped object " + borrowed + " defines rmemInit") && line.contains("file deleted"), line);
        assertEquals(List.of(), captureFiles(), "refused before it wrote anything");
    }

    @OnEachJdk
    void aClientUnderTheNameOfALoadedLibraryIsSwitchedOffAfterStartUp(Jdk jdk) throws Exception {
        Path borrowed = Files.copy(Jvm.fixture("liblate-dlopen.so"), dir.resolve("libborrowed.so"));
        Run run = borrowingName(jdk, borrowed, "env=production,watch.interval=200ms")
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "4000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("mapped object " + borrowed + " defines rmemInit"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + borrowed),
                "reached through its own mapping, not the listed library of the same name\n" + line);
        assertEquals(List.of(), captureFiles(), "switched off: nothing written at exit");
    }

    /**
     * Red team, round 11: the client copied into a tmpfs as usr/lib/x86_64-linux-gnu/libc.so.6, held
     * open, the tmpfs detached (umount -l), then opened with dlmopen through /proc/self/fd: the
     * kernel names its mapping /usr/lib/x86_64-linux-gnu/libc.so.6, and the file under that name is
     * the real C library, whose symbols were all that was read. Its mapped image is read now, and
     * since round 17 its mapping's own file (map_files, where the kernel allows it), the name's file
     * being another: either says what it is.
     */
    @OnEachJdk
    void aClientMappedUnderTheCLibrarysNameFromADetachedMountIsRefused(Jdk jdk) throws Exception {
        Path mount = Files.createDirectory(dir.resolve("mnt"));
        String script = "mount -t tmpfs none " + mount + " && mkdir -p " + mount + "/usr/lib/x86_64-linux-gnu"
                + " && cp " + Jvm.fixture("libmtuner_standin.so") + " " + mount + "/usr/lib/x86_64-linux-gnu/libc.so.6"
                + " && exec 7< " + mount + "/usr/lib/x86_64-linux-gnu/libc.so.6 && umount -l " + mount + " && exec \"$@\"";
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").preload("liblate-dlopen.so")
                .env("LATE_DLOPEN", "/proc/self/fd/7").env("LATE_DLOPEN_NAMESPACE", "new").env("LATE_DLOPEN_TRIGGER", "now")
                .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"))
                .run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains("mapped object /usr/lib/x86_64-linux-gnu/libc.so.6 defines rmemInit")
                && (line.contains("in its mapped image") || line.contains("(code mapped in this JVM)")), line);
        assertEquals(List.of(), captureFiles());
    }

    /**
     * Red team, round 16: the client, opened by the JVM itself as libnuma.so.1 (LD_LIBRARY_PATH,
     * -XX:+UseNUMA, before premain), rewrites the dynamic linker's record of itself from its
     * constructor: its name (l_name) to libz's system path, its program headers (l_phdr) and its
     * dynamic section (l_ld) to copies with an empty hash table. Judged by that name it was a system
     * library defining nothing, and its mappings the linker's: the first look answered "nothing"
     * and the ladder agreed. The name now places an object only when its file is the one mapped
     * where the object was loaded; the mappings are judged as the file they are.
     */
    @OnEachJdk
    void aClientThatRenamesItselfInTheLinkersRecordIsJudgedByItsFile(Jdk jdk) throws Exception {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Files.copy(Jvm.fixture("librenamed-record.so"), lib.resolve("libnuma.so.1"));
        for (String mode : List.of("7", "5", "6")) { // all three edits; the name with the headers; the name with the dynamic section
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,attach=ignore").option("-XX:+UseNUMA")
                    .env("LD_LIBRARY_PATH", lib.toString()).env("RENAMED_RECORD_MODE", mode).run();
            assertEquals(78, run.exitStatus(), "mode " + mode + "\n" + run);
            String line = run.onlyProfguardLine();
            assertTrue(line.contains("mapped object " + lib.resolve("libnuma.so.1") + " defines rmemInit"), line);
        }
    }

    /**
     * Red team, round 13: a hidden client (no rmem symbol exported, its marks in its file) as
     * libnuma.so.1 in a directory bind-mounted over /usr/lib/x86_64-linux-gnu in another process's
     * mount namespace, reached through /proc/PID/root (LD_LIBRARY_PATH; -XX:+UseNUMA opens
     * libnuma.so.1 before premain). The name read back as /usr/lib/x86_64-linux-gnu/libnuma.so.1,
     * the system's own directory here, root's alone: a system library, whose content is not
     * searched. A real path counts only when it is the same file (directory) as the name.
     */
    @OnEachJdk
    void aLibraryFromAnotherMountNamespaceIsNotTakenForASystemLibrary(Jdk jdk) throws Exception {
        Path evil = Files.createDirectory(dir.resolve("evil"));
        Files.copy(Jvm.fixture("libhidden-helper.so"), evil.resolve("libnuma.so.1"));
        Process holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sleep", "120")
                .redirectErrorStream(true).start();
        try {
            String ours = Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")).toString();
            Path theirs = Path.of("/proc/" + holder.pid() + "/ns/mnt");
            for (int i = 0; i < 100 && holder.isAlive() && Files.readSymbolicLink(theirs).toString().equals(ours); i++) {
                Thread.sleep(50); // until unshare has made its namespace and run sleep in it
            }
            Process bind = new ProcessBuilder("nsenter", "-t", Long.toString(holder.pid()), "-m", "mount", "--bind",
                    evil.toString(), "/usr/lib/x86_64-linux-gnu").redirectErrorStream(true).start();
            assertEquals(0, bind.waitFor(), new String(bind.getInputStream().readAllBytes()));
            Run run = Jvm.on(jdk, dir).agentArgs("env=production").option("-XX:+UseNUMA")
                    .env("LD_LIBRARY_PATH", "/proc/" + holder.pid() + "/root/usr/lib/x86_64-linux-gnu").run();
            assertEquals(78, run.exitStatus(), run.toString());
            String line = run.onlyProfguardLine();
            assertTrue(line.contains("libnuma.so.1") && line.contains("mtuner_capture_"), line);
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /**
     * Red team, round 12: the client's file named with a literal backslash, 0, 1, 2 (the kernel
     * escapes a newline so, and a backslash not at all) beside a benign library named with a real
     * newline, and one page of the client mapped below everything at file offset 0x1000: its name
     * read back pointed at the benign file, and its lowest mapping held no ELF header to read.
     */
    @OnEachJdk
    void aClientWithAnAmbiguousNameAndADecoyFirstMappingIsSwitchedOff(Jdk jdk) throws Exception {
        Path client = Files.copy(Jvm.fixture("libmtuner_standin.so"), dir.resolve("libfast\\012path.so"));
        Files.copy(Jvm.fixture("libbenign.so"), dir.resolve("libfast\npath.so"));
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=200ms").preload("liblate-dlopen.so")
                .env("LATE_DLOPEN", client.toString()).env("LATE_DLOPEN_NAMESPACE", "new").env("LATE_DECOY_PAGE", "1")
                .env("LATE_RECORD", "1").env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .main(PauseApp.class, "4000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown()"), line);
        assertEquals(List.of(), captureFiles());
    }

    /**
     * Red team, round 12: the client given the device, inode and name of a library the linker lists
     * (written over its file in place, opened, made private, the file put back, the library then
     * loaded below it): a file's mappings are the linker's only inside the range it loaded the listed
     * object into.
     */
    @OnEachJdk
    void aClientOnTheInodeOfALoadedLibraryIsSwitchedOff(Jdk jdk) throws Exception {
        Path victim = Files.copy(Jvm.fixture("libbenign-padded.so"), dir.resolve("libvictim.so"));
        Run run = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=200ms").preload("liblate-dlopen.so")
                .env("LATE_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString()).env("LATE_BORROW_INODE", victim.toString())
                .env("LATE_RECORD", "1").env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString())
                .main(PauseApp.class, "4000").run();
        assertEquals(0, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up"), line);
        assertTrue(line.contains("mapped object " + victim + " defines rmemInit"), line);
        assertTrue(line.contains("It was switched off in place: called rmemShutDown() in " + victim), line);
        assertEquals(List.of(), captureFiles());
    }

    @OnEachJdk
    void checkDoesNotTakeAForgedStateFromAJvmWithoutTheGuard(Jdk jdk) throws Exception {
        String client = Jvm.fixture("libmtuner_standin.so").toString();
        List<String> command = List.of(jdk.java().toString(), "-cp", Jvm.codeSource(HostileApp.class).toString(),
                HostileApp.class.getName(), "forge-state", client);
        try (RunningJvm target = new RunningJvm(command, Map.of("LD_PRELOAD", client, "APP_ENV", "production"), dir)) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!target.stdout().contains("FORGED") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            AgentCommand check = AgentCommand.run(jdk, dir, "check", "--pid", Long.toString(target.process.pid()),
                    "--format", "json");
            assertEquals(1, check.status(), check.toString());
            assertTrue(check.stdout().contains("\"status\":\"found\"") && check.stdout().contains("\"guarded\":false"),
                    check.toString());
        }
        assertTrue(PauseApp.DONE.length() > 0);
    }

    @OnEachJdk
    void anEnvironmentChangedBeforeTheJvmReadItDoesNotTurnProductionOff(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs(null).env("APP_ENV", "production")
                .env("LD_PRELOAD", Jvm.fixture("libsetenv-early.so") + " " + Jvm.fixture("libmtuner_standin.so"))
                .env("SETENV_NAME", "APP_ENV").env("SETENV_VALUE", "dev").run();
        assertEquals(78, run.exitStatus(), "the tag the process was started with: production\n" + run);
        assertTrue(run.stderr().contains("the environment was changed inside this process before the JVM read it (APP_ENV)"),
                run.toString());
    }

    /**
     * The same change with nothing else to see: a host that starts the JVM in its own process
     * (JNI_CreateJavaVM) after a setenv. No preload and no client, so only the probe's first look
     * can see it (a clean start never reads the JVM's copy of the environment): it is still told,
     * and the options are still the ones the process was started with.
     */
    @OnEachJdk
    void anEnvironmentChangedBeforeTheJvmReadItIsToldOnAnOtherwiseCleanStart(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs("log.level=info").env("APP_ENV", "production")
                .wrappedIn(List.of(Jvm.fixture("embed_launcher").toString(), "APP_ENV", "dev")).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        List<String> lines = run.profguardLines();
        assertEquals(2, lines.size(), run.toString());
        assertTrue(lines.get(0).contains("WARN the environment was changed inside this process before the JVM read it (APP_ENV)"),
                run.toString());
        assertTrue(lines.get(1).contains("active in this JVM: env=production (environment variable APP_ENV): production"),
                run.toString());
    }

    /**
     * A preloaded library that interposes open can make /proc/self/environ unreadable, and set the
     * tag it likes in the live environment (red team, round 6): the options then come from the
     * JVM's copy, and a WARN says that the environment the process started with could not be read.
     * (Serving a made-up copy instead is the documented limitation of the threat model.)
     */
    @OnEachJdk
    void anUnreadableStartEnvironmentIsToldNotPassedOverInSilence(Jdk jdk) throws Exception {
        Run run = Jvm.on(jdk, dir).agentArgs(null).env("APP_ENV", "production").env("FAKE_ENVIRON", "fail")
                .preload("libfake-environ.so").run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.mainRan(), run.toString());
        assertTrue(run.stderr().contains("profguard: WARN could not read /proc/self/environ, the environment this process was "
                + "started with"), run.toString());
    }

    @OnEachJdk
    void aLoadWhoseNameTheLinkerWouldExpandIsNotTakenAtItsWord(Jdk jdk) throws Exception {
        Path marker = dir.resolve("constructor-ran");
        Path literal = dir.resolve("$PLATFORM");
        Files.createDirectories(literal);
        Files.createDirectories(dir.resolve("x86_64"));
        Files.copy(Jvm.fixture("libbenign.so"), literal.resolve("libx.so")); // what the literal path holds
        Files.copy(Jvm.fixture("libcompress-helper.so"), dir.resolve("x86_64/libx.so")); // what dlopen would load
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker.toString())
                .main(dev.profguard.it.app.LoadApp.class, "System.load", literal.resolve("libx.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("REFUSED profguard:") && run.stdout().contains("expands the $ tokens"), run.toString());
        assertFalse(Files.exists(marker), "the client's constructor never ran");
    }

    /**
     * Red team, round 14: when a load maps more than the gate judged (here what a JNI_OnLoad
     * dlopens) within the first watch interval, before the watcher is made, the watcher must be
     * made on its own thread, never on the application's: there the application could make it
     * fail on purpose (its stack nearly used up: a StackOverflowError inside the making, its
     * ERROR line overflowing too), which ended the watch for good, silently; a client dlopened
     * natively then recorded unseen. The JVM's own record of who loaded the watcher's class
     * (JDK 25: -XX:LogClassLoadingCauseFor) shows the watcher thread; the look still comes before
     * the load returns (LoadGateRoutesTest).
     */
    @org.junit.jupiter.api.Test
    void theWatcherIsNeverMadeOnTheApplicationsThread() throws Exception {
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        Jvm jvm = Jvm.on(jdk25, dir).agentArgs("env=production,watch.interval=10m")
                .option("-XX:+UnlockDiagnosticVMOptions").option("-XX:LogClassLoadingCauseFor=dev.profguard.runtime.Watcher")
                .option("-Xlog:class+load+cause*=info:stderr")
                .env("ONLOAD_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString())
                .main(dev.profguard.it.app.LoadApp.class, "System.load", Jvm.fixture("libjni-onload-dlopen.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        String stack = run.stderr().substring(Math.max(0, run.stderr().indexOf("Java stack when loading dev.profguard.runtime.Watcher")));
        assertTrue(stack.startsWith("Java stack when loading dev.profguard.runtime.Watcher"), run.toString());
        int end = stack.indexOf("Native stack when loading");
        String frames = end < 0 ? stack : stack.substring(0, end); // the Java stack of the thread that loaded it
        assertTrue(frames.contains("dev.profguard.runtime.RuntimeGuard.run("), "made on the watcher thread\n" + frames);
        assertFalse(frames.contains("LoadGate") || frames.contains("LoadApp"), "not on the application's thread\n" + frames);
        assertTrue(run.stderr().contains("It was switched off in place: called rmemShutDown()"), run.toString());
    }

    @OnEachJdk
    void scanJudgesWhatAnArchiveHidesBehindADirectoryNameOrASparseMember(Jdk jdk) throws Exception {
        Path jar = dir.resolve("dirname.jar");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("native/libx.so/")); // a "directory" with bytes
            zip.write(Files.readAllBytes(Jvm.fixture("libcompress-helper.so")));
            zip.closeEntry();
        }
        AgentCommand scan = AgentCommand.run(jdk, dir, "scan", jar.toString());
        assertEquals(1, scan.status(), scan.toString());
        assertTrue(scan.stdout().contains("native/libx.so/"), scan.toString());

        Path sparse = dir.resolve("sparse/libx.so");
        Files.createDirectories(sparse.getParent());
        Files.copy(Jvm.fixture("libcompress-helper.so"), sparse);
        Path tar = dir.resolve("sparse.tar");
        assertEquals(0, AgentCommand.shell(dir, "truncate -s 4M \"$1\" && tar --sparse --format=posix --sparse-version=1.0 "
                + "-C \"$2\" -cf \"$3\" libx.so", sparse.toString(), sparse.getParent().toString(), tar.toString()));
        AgentCommand sparseScan = AgentCommand.run(jdk, dir, "scan", tar.toString());
        assertEquals(2, sparseScan.status(), "a sparse member is not inspected, never clean\n" + sparseScan);
        assertTrue(sparseScan.stdout().contains("sparse"), sparseScan.toString());
    }
}
