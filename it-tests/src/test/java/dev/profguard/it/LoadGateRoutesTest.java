package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.GateRoutesApp;
import dev.profguard.it.app.LoadApp;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate judges the file the JDK will hand to dlopen, whatever the route and whatever was
 * changed around it: java.library.path at run time, an empty path element, a class loader's own
 * findLibrary, a symlink re-pointed or a file replaced (same size, same modification time) after a
 * clean decision, the plain-Java chain of issue 11, a file swapped in a tight loop while it loads,
 * what JNI_OnLoad opens, an FFM bare name. A stand-in client's constructor leaves a marker file:
 * for every Java route it stays absent and the load fails with a profguard: message; where code
 * ran before anything could know, it is acted on as soon as the load returns (a swap inside the
 * load halts a production JVM; a dlopen inside JNI_OnLoad is the watcher's, asked at once).
 */
class LoadGateRoutesTest extends JvmTest {
    private Path marker() {
        return dir.resolve("constructor-ran");
    }

    private Jvm app(Jdk jdk, String... args) {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                .main(GateRoutesApp.class, args);
        jvm.applicationNativeAccess();
        return jvm;
    }

    private static List<String> results(Run run) {
        return run.stdout().lines().filter(l -> l.startsWith("LOADED") || l.startsWith("REFUSED")).toList();
    }

    private void assertRefusedBeforeItRan(Run run, Path client) throws Exception {
        assertEquals(0, run.exitStatus(), run.toString());
        List<String> results = results(run);
        String refused = results.get(results.size() - 1);
        assertTrue(refused.startsWith("REFUSED profguard: MTuner's client (rmem) found in a library load (env=production"),
                run.toString());
        assertTrue(refused.contains("library load " + client.toRealPath() + " "), run.toString());
        assertTrue(run.stdout().contains("DONE"), run.toString());
        assertFalse(Files.exists(marker()), "the client's constructor never ran\n" + run);
        assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR MTuner's client (rmem) found in a library load")
                && run.onlyProfguardLine().contains("The load is refused (action=refuse): the library's code did not run."),
                run.toString());
    }

    @OnEachJdk
    void javaLibraryPathChangedAtRunTimeChangesNothingTheGateJudges(Jdk jdk) throws Exception {
        Run run = app(jdk, "property", "/nonexistent", "compress-helper").option("-Djava.library.path=" + Jvm.FIXTURES).run();
        assertRefusedBeforeItRan(run, Jvm.fixture("libcompress-helper.so"));
    }

    @OnEachJdk
    void anEmptyPathElementIsTheWorkingDirectory(Jdk jdk) throws Exception {
        Path client = Files.copy(Jvm.fixture("libcompress-helper.so"), dir.resolve("libcompress-helper.so"));
        Run run = app(jdk, "loadLibrary", "compress-helper").option("-Djava.library.path=:/nonexistent").run();
        assertRefusedBeforeItRan(run, client);
    }

    @OnEachJdk
    void aClassLoadersOwnFindLibraryIsJudged(Jdk jdk) throws Exception {
        Path client = Files.copy(Jvm.fixture("libhidden-helper.so"), dir.resolve("libplugin.so"));
        Run run = app(jdk, "findLibrary", client.toString(), "plugin").run();
        assertRefusedBeforeItRan(run, client);
    }

    @OnEachJdk
    void aSymlinkRepointedAfterACleanDecisionIsJudgedAgain(Jdk jdk) throws Exception {
        Path benign = Files.copy(Jvm.fixture("libbenign.so"), dir.resolve("libbenign-copy.so"));
        Path client = Files.copy(Jvm.fixture("libmtuner_standin.so"), dir.resolve("libclient-copy.so"));
        Run run = app(jdk, "symlink", dir.resolve("libsym.so").toString(), benign.toString(), client.toString()).run();
        assertEquals("LOADED", results(run).get(0), run.toString());
        assertRefusedBeforeItRan(run, client);
    }

    /** Issue 11's chain: load via A, A collected and its library unloaded, file replaced, property changed, load via B. */
    @OnEachJdk
    void theUnloadReplaceReloadChainIsRefused(Jdk jdk) throws Exception {
        for (String how : List.of("inplace", "rename")) {
            Files.deleteIfExists(marker());
            Path libs = Files.createDirectories(dir.resolve("libs-" + how));
            Run run = app(jdk, "chain", "chain", libs.toString(), Jvm.fixture("libbenign.so").toString(),
                    Jvm.fixture("libmtuner_standin.so").toString(), how).option("-Djava.library.path=" + libs).run();
            assertEquals("LOADED", results(run).get(0), how + "\n" + run);
            assertTrue(run.stdout().contains("UNLOADED"), "the JDK unloaded A's library before the file changed\n" + run);
            assertRefusedBeforeItRan(run, libs.resolve("libchain.so"));
        }
    }

    /**
     * A swap inside the load (between the judgement and dlopen) cannot be stopped from Java: the
     * JVM must then be halted right after the load, never carry on with the client unnoticed.
     */
    @OnEachJdk
    void aFileSwappedWhileItLoadsNeverRunsUnnoticed(Jdk jdk) throws Exception {
        Path libs = Files.createDirectories(dir.resolve("race"));
        Run run = app(jdk, "swap-race", libs.toString(), Jvm.fixture("libbenign.so").toString(),
                Jvm.fixture("libmtuner_standin.so").toString(), "300").run();
        List<String> results = results(run);
        if (Files.exists(marker())) {
            assertEquals(78, run.exitStatus(), "the client ran: the JVM must have been halted\n" + run);
        }
        if (run.exitStatus() == 78) { // the client ran, or a file that could no longer be read did
            assertTrue(run.stderr().contains("Its code has run: ending this JVM"), run.toString());
            assertFalse(run.stdout().contains("DONE"), run.toString());
        } else {
            assertEquals(0, run.exitStatus(), run.toString());
            assertEquals(300, results.size(), run.toString());
        }
        assertTrue(results.stream().allMatch(r -> r.equals("LOADED") || r.startsWith("REFUSED profguard: MTuner's client (rmem) found in a library load")
                || r.startsWith("REFUSED ") && !r.contains("rmem")), run.toString());
        System.out.println(jdk.name() + " swap race: " + results.stream().filter(r -> r.equals("LOADED")).count()
                + " benign loads, " + results.stream().filter(r -> r.startsWith("REFUSED")).count() + " refusals, client ran: "
                + Files.exists(marker()) + ", exit " + run.exitStatus());
    }

    /**
     * A client that a library's JNI_OnLoad opens with dlopen was loaded behind the gate's back, as
     * any native dlopen: the watcher, asked to look as soon as the load returns (its own interval
     * here is ten minutes), switches it off (runtime.action=neutralize, the default).
     */
    @OnEachJdk
    void whatJniOnLoadOpensIsLookedAtAsSoonAsTheLoadReturns(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=10m")
                .env("ONLOAD_DLOPEN", Jvm.fixture("libmtuner_standin.so").toString())
                .main(LoadApp.class, "System.load", Jvm.fixture("libjni-onload-dlopen.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in this running JVM after start-up (env=production"),
                run.toString());
        assertTrue(line.contains("loaded object " + Jvm.fixture("libmtuner_standin.so") + " defines rmemInit"), run.toString());
        assertTrue(line.contains("It was switched off in place: called rmemShutDown()"), run.toString());
    }

    @Test
    void anFfmBareNameIsJudgedAsTheFileTheDynamicLinkerWouldLoad() throws Exception {
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        Path source = Path.of(LoadGateRoutesTest.class.getResource("/ffm/FfmApp.java").toURI());
        Run run = Jvm.on(jdk25, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                .env("LD_LIBRARY_PATH", Jvm.FIXTURES.toString())
                .option("--enable-native-access=ALL-UNNAMED").sourceFile(source, "name", "libcompress-helper.so").run();
        assertTrue(run.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load")
                && run.stdout().contains("library load " + Jvm.fixture("libcompress-helper.so")), run.toString());
        assertFalse(Files.exists(marker()), "the client's constructor never ran\n" + run);
        assertTrue(run.onlyProfguardLine().contains("about to be loaded by SymbolLookup.libraryLookup"), run.toString());

        Run benign = Jvm.on(jdk25, dir).agentArgs("env=production").env("LD_LIBRARY_PATH", Jvm.FIXTURES.toString())
                .option("--enable-native-access=ALL-UNNAMED").sourceFile(source, "name", "libbenign.so").run();
        assertTrue(benign.stdout().contains("LOADED"), benign.toString());
        assertEquals(List.of(), benign.profguardLines(), benign.toString());
    }
}
