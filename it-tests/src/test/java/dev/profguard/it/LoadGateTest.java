package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoadApp;
import dev.profguard.it.app.FfmLoaderAgent;
import dev.profguard.it.app.RedefiningAgent;
import dev.profguard.it.app.RetransformingAgent;
import dev.profguard.it.app.TwoLoadersApp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library-load gate on every Java route to a native library, proven by a marker file the
 * stand-in's constructor writes: refused loads never run it.
 */
class LoadGateTest extends JvmTest {
    private Run load(Jdk jdk, String env, String... route) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=" + env).env("STANDIN_MARKER_FILE", marker().toString())
                .option("-Djava.library.path=" + Jvm.FIXTURES).main(LoadApp.class, route);
        jvm.applicationNativeAccess(); // the app's own load is a restricted call on 24+
        return jvm.run();
    }

    private Path marker() {
        return dir.resolve("constructor-ran");
    }

    @OnEachJdk
    void refusesTheClientOnEveryJavaRouteBeforeItsCodeRuns(Jdk jdk) throws Exception {
        List<String[]> routes = List.of(
                new String[]{"System.load", Jvm.fixture("libcompress-helper.so").toString()},
                new String[]{"System.loadLibrary", "compress-helper"},
                new String[]{"Runtime.load", Jvm.fixture("libmtuner_standin.so").toString()},
                new String[]{"Runtime.loadLibrary", "mtuner_standin"},
                new String[]{"System.load", Jvm.fixture("libhidden-helper.so").toString()});
        for (String[] route : routes) {
            Files.deleteIfExists(marker());
            Run run = load(jdk, "production", route);
            assertEquals(0, run.exitStatus(), run.toString());
            String refused = run.stdout().lines().filter(l -> l.startsWith("REFUSED ")).findFirst().orElse("");
            assertTrue(refused.startsWith("REFUSED profguard: MTuner's client (rmem) found in a library load (env=production"), String.join(" ", route) + "\n" + run);
            assertTrue(refused.contains("library load " + Jvm.FIXTURES) && refused.contains("The load is refused (action=refuse): the library's code did not run."), refused);
            assertFalse(Files.exists(marker()), "the library's constructor never ran: " + String.join(" ", route));
            assertTrue(run.onlyProfguardLine().startsWith("profguard: ERROR MTuner's client (rmem) found in a library load"), run.toString());
        }
    }

    /**
     * The gate is in the loaders' class files themselves (redefined once, no transformer of ours
     * left registered), so another agent retransforming them later rebuilds them with the gate.
     */
    @OnEachJdk
    void gateStaysWhenAnotherAgentRetransformsTheLoaders(Jdk jdk) throws Exception {
        Path agent = agentJar("retransforming-agent.jar", RetransformingAgent.class);
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                .option("-javaagent:" + agent).main(LoadApp.class, "System.load", Jvm.fixture("libcompress-helper.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertTrue(run.stdout().contains("RETRANSFORMED"), run.toString());
        assertTrue(run.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"), run.toString());
        assertFalse(Files.exists(marker()), "the library's constructor never ran");
    }

    /**
     * An agent that redefined a loader before profguard started keeps its change, and the gate is
     * in front of it: the gate then reads the class as the JVM runs it, not from the runtime image.
     */
    @OnEachJdk
    void anEarlierAgentsRedefinitionOfTheLoadersIsKept(Jdk jdk) throws Exception {
        Path agent = agentJar("redefining-agent.jar", RedefiningAgent.class);
        Path benign = Jvm.fixture("libbenign.so");
        Jvm twice = Jvm.on(jdk, dir).agentArgs("env=production").env("JAVA_TOOL_OPTIONS", "-javaagent:" + agent)
                .main(TwoLoadersApp.class, benign.toString());
        Jvm client = Jvm.on(jdk, dir).agentArgs("env=production").env("JAVA_TOOL_OPTIONS", "-javaagent:" + agent)
                .env("STANDIN_MARKER_FILE", marker().toString())
                .main(LoadApp.class, "System.load", Jvm.fixture("libcompress-helper.so").toString());
        twice.applicationNativeAccess();
        client.applicationNativeAccess();
        Run run = twice.run();
        assertTrue(run.stdout().contains("REDEFINED"), run.toString());
        assertTrue(run.stdout().contains("FIRST: LOADED"), run.toString());
        assertTrue(run.stdout().contains("SECOND: Native Library " + benign.toRealPath() + " ALREADY loaded in another classloader"),
                run.toString());
        Run refused = client.run();
        assertTrue(refused.stdout().contains("REDEFINED"), refused.toString());
        assertTrue(refused.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"), refused.toString());
        assertFalse(Files.exists(marker()), "the library's constructor never ran");
    }

    /**
     * The guard writes its lines to the process's standard error itself: an application that
     * replaced System.err neither silences the refusal nor gets to run its own code (a nested load)
     * inside the gate's judgement through it.
     */
    @OnEachJdk
    void anApplicationsOwnSystemErrNeitherSilencesNorReentersTheGate(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                .main(dev.profguard.it.app.SwallowingErrApp.class, Jvm.fixture("libcompress-helper.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertTrue(run.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"), run.toString());
        assertFalse(run.stdout().contains("NESTED"), "nothing of the guard went through the application's System.err\n" + run);
        assertTrue(run.stderr().contains("profguard: ERROR MTuner's client (rmem) found in a library load"), run.toString());
        assertFalse(Files.exists(marker()), "the library's constructor never ran");
    }

    /** A jar of one agent class (and its nested classes) that may retransform and redefine. */
    private Path agentJar(String name, Class<?> premain) throws java.io.IOException {
        Path agent = dir.resolve(name);
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", premain.getName());
        manifest.getMainAttributes().putValue("Can-Retransform-Classes", "true");
        manifest.getMainAttributes().putValue("Can-Redefine-Classes", "true");
        String entry = premain.getName().replace('.', '/');
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(agent), manifest)) {
            for (String file : List.of(entry + ".class", entry + "$1.class")) {
                try (var in = premain.getClassLoader().getResourceAsStream(file)) {
                    if (in != null) { // no $1: no anonymous class
                        out.putNextEntry(new java.util.jar.JarEntry(file));
                        in.transferTo(out);
                    }
                }
            }
        }
        return agent;
    }

    @OnEachJdk
    void warnsAndLoadsOutsideProduction(Jdk jdk) throws Exception {
        Run run = load(jdk, "staging", "System.loadLibrary", "compress-helper");
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        assertTrue(Files.exists(marker()), "loaded: its constructor ran");
        String line = run.onlyProfguardLine();
        assertTrue(line.startsWith("profguard: WARN MTuner's client (rmem) found in a library load (env=staging"), line);
        assertTrue(line.contains("library load " + Jvm.fixture("libcompress-helper.so") + " defines rmemInit"), line);
        assertTrue(line.contains("The load goes on (not a production JVM; in production: the load would be refused)"), line);
    }

    /**
     * A benign library on an overlay whose layers lie on different file systems (a tmpfs upper over
     * the disk, as live images and overlayroot have it): the maps show the overlay's device, stat
     * the lower layer's. The gate took that for a file swapped in during the load and halted a
     * clean production JVM with 78 (red team, round 18). Its inode, and its mapping's name
     * resolving to the judged file, say it is the same. The JVM runs without capabilities, as in
     * a container: the mapping cannot be read through map_files, and the watcher's last look must
     * still find nothing to say.
     */
    @OnEachJdk
    void aLibraryOnAnOverlayOfTwoFileSystemsLoadsSilently(Jdk jdk) throws Exception {
        Path lower = Files.createDirectories(dir.resolve("lower"));
        Files.copy(Jvm.fixture("libbenign.so"), lower.resolve("libbenign.so"));
        Path layers = Files.createDirectories(dir.resolve("layers"));
        Path merged = Files.createDirectories(dir.resolve("merged"));
        String script = "mount -t tmpfs none " + layers + " && mkdir " + layers + "/upper " + layers + "/work"
                + " && mount -t overlay overlay -o lowerdir=" + lower + ",upperdir=" + layers + "/upper,workdir="
                + layers + "/work " + merged + " && exec setpriv --bounding-set=-all --inh-caps=-all \"$@\"";
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production")
                .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"))
                .main(LoadApp.class, "System.load", merged.resolve("libbenign.so").toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        assertEquals(List.of(), run.profguardLines(), run.toString());
    }

    /**
     * A JNI library of the application's own, loaded through the gate, in a JVM that then ends: the
     * end's first look is told which files the gate judged whole and found mapped as judged, and
     * the count those loads explain, so nothing is left to look at whole: the watcher is never made
     * (it was, with the ladder's classes, +44.5 ms at exit). A client loaded behind the gate is
     * still looked at (LateClientTest).
     */
    @OnEachJdk
    void aJvmThatLoadedAJudgedLibraryEndsWithoutAWholeLook(Jdk jdk) throws Exception {
        Path library = Files.copy(Jvm.fixture("libbenign.so"), dir.resolve("libown.so"));
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=10m").option("-Xlog:class+load")
                .main(LoadApp.class, "System.load", library.toString());
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        assertTrue(run.stdout().contains("dev.profguard.runtime.LoadGate source"), "the gate judged it\n" + run);
        assertFalse(run.stdout().contains("dev.profguard.runtime.Watcher source"), "no whole look at the end\n" + run);
        assertEquals(List.of(), run.profguardLines(), run.toString());
    }

    /**
     * What the gate warned of as it let the load go on is said once: the watcher, finding the
     * object at its next tick or at the JVM's end, does not say it again (it did, a second WARN).
     */
    @OnEachJdk
    void aLoadTheGateWarnedOfIsNotSaidAgainByTheWatcher(Jdk jdk) throws Exception {
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=staging,watch.interval=100ms").env("STANDIN_MARKER_FILE", marker().toString())
                .main(LoadApp.class, "load-then-wait", Jvm.fixture("libcompress-helper.so").toString(), "1500");
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertTrue(Files.exists(marker()), "loaded: its constructor ran");
        assertTrue(run.onlyProfguardLine().startsWith("profguard: WARN MTuner's client (rmem) found in a library load (env=staging"),
                run.toString());
    }

    @org.junit.jupiter.api.Test
    void refusesTheClientThroughFfmOnJdk25() throws Exception {
        Jdk jdk25 = Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
        Path source = Path.of(LoadGateTest.class.getResource("/ffm/FfmApp.java").toURI());
        for (String[] call : List.of(new String[]{"path", Jvm.fixture("libcompress-helper.so").toString()},
                new String[]{"name", Jvm.fixture("libhidden-helper.so").toString()})) {
            Files.deleteIfExists(marker());
            Run run = Jvm.on(jdk25, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                    .option("--enable-native-access=ALL-UNNAMED").sourceFile(source, call).run();
            assertTrue(run.stdout().contains("REFUSED profguard: MTuner\'s client (rmem) found in a library load") && run.stdout().contains("library load " + call[1]), run.toString());
            assertFalse(Files.exists(marker()), "the library's constructor never ran");
            assertTrue(run.onlyProfguardLine().contains("about to be loaded by SymbolLookup.libraryLookup"), run.toString());
        }
        Run benign = Jvm.on(jdk25, dir).agentArgs("env=production").option("--enable-native-access=ALL-UNNAMED")
                .sourceFile(source, "path", Jvm.fixture("libbenign.so").toString()).run();
        assertTrue(benign.stdout().contains("LOADED"), benign.toString());
        assertEquals(List.of(), benign.profguardLines(), benign.toString());
    }

    /**
     * FFM's loader is defined by the gate with its call in front, when no one loaded it before:
     * another agent that retransforms it later (as APM agents do the JDK's loaders) rebuilds it
     * from that definition, and the gate still refuses the client through SymbolLookup.
     */
    @org.junit.jupiter.api.Test
    void theFfmGateStaysWhenAnotherAgentRetransformsItsLoaderOnJdk25() throws Exception {
        Path agent = agentJar("retransforming-agent.jar", RetransformingAgent.class);
        Run run = ffmClientRun(jdk25(), List.of("-javaagent:" + agent), Map.of());
        assertTrue(run.stdout().contains("RETRANSFORMED"), run.toString());
        assertFfmClientRefused(run);
    }

    /**
     * FFM's loader loaded before the guard started (an agent before it used FFM): the gate
     * redefines it, as it does NativeLibraries, and refuses the client through SymbolLookup.
     */
    @org.junit.jupiter.api.Test
    void anFfmLoaderLoadedBeforeTheGuardIsRedefinedWithTheGateOnJdk25() throws Exception {
        Path agent = agentJar("ffm-loader-agent.jar", FfmLoaderAgent.class);
        Run run = ffmClientRun(jdk25(), List.of(), Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + agent));
        assertTrue(run.stdout().contains("FFM LOADER LOADED"), run.toString());
        assertFfmClientRefused(run);
    }

    private static Jdk jdk25() {
        return Jdk.all().filter(j -> j.name().equals("JDK 25")).findFirst().orElseThrow();
    }

    /** FfmApp loading the client by path through SymbolLookup.libraryLookup, in production, with these options and variables. */
    private Run ffmClientRun(Jdk jdk, List<String> options, Map<String, String> env) throws Exception {
        Path source = Path.of(LoadGateTest.class.getResource("/ffm/FfmApp.java").toURI());
        Files.deleteIfExists(marker());
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production").env("STANDIN_MARKER_FILE", marker().toString())
                .option("--enable-native-access=ALL-UNNAMED");
        for (String option : options) {
            jvm = jvm.option(option);
        }
        for (Map.Entry<String, String> variable : env.entrySet()) {
            jvm = jvm.env(variable.getKey(), variable.getValue());
        }
        return jvm.sourceFile(source, "path", Jvm.fixture("libcompress-helper.so").toString()).run();
    }

    private void assertFfmClientRefused(Run run) {
        assertTrue(run.stdout().contains("REFUSED profguard: MTuner's client (rmem) found in a library load"), run.toString());
        assertTrue(run.onlyProfguardLine().contains("about to be loaded by SymbolLookup.libraryLookup"), run.toString());
        assertFalse(Files.exists(marker()), "the library's constructor never ran");
    }

    /**
     * A library the JDK has registered under its canonical path runs no new code when loaded again,
     * whatever its file holds now: the JDK returns the library it has, and the gate, which asks the
     * JDK's own registry, lets it do so, with or without the probe. The client's constructor never
     * runs.
     */
    @OnEachJdk
    void aLoadedPathWhoseFileIsReplacedByTheClientRunsNoClientCode(Jdk jdk) throws Exception {
        Path library = dir.resolve("libplugin.so");
        for (String probe : List.of("auto", "off")) {
            Files.copy(Jvm.fixture("libbenign.so"), library, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(marker());
            Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,probe=" + probe).env("STANDIN_MARKER_FILE", marker().toString())
                    .main(LoadApp.class, "load-replace-reload", library.toString(), Jvm.fixture("libmtuner_standin.so").toString());
            jvm.applicationNativeAccess();
            Run run = jvm.run();
            assertEquals(0, run.exitStatus(), run.toString());
            assertFalse(Files.exists(marker()), "the client's constructor never ran (probe=" + probe + ")\n" + run);
            List<String> results = run.stdout().lines().filter(l -> l.startsWith("LOADED") || l.startsWith("REFUSED")).toList();
            assertEquals(List.of("LOADED", "LOADED"), results, "the JVM returned the library it had\n" + run);
            assertEquals(List.of(), run.profguardLines(), run.toString());
        }
    }

    @OnEachJdk
    void ordinaryLibrariesPassSilently(Jdk jdk) throws Exception {
        Run run = load(jdk, "production", "System.loadLibrary", "benign");
        assertTrue(run.stdout().contains("LOADED"), run.toString());
        assertEquals(List.of(), run.profguardLines(), run.toString());
        Run missing = load(jdk, "production", "System.loadLibrary", "no-such-library");
        assertTrue(missing.stdout().contains("REFUSED no-such-library") || missing.stdout().contains("REFUSED no no-such-library"),
                "the JVM's own error, not profguard's\n" + missing);
    }
}
