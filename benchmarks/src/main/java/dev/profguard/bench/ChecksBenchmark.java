package dev.profguard.bench;

import dev.profguard.config.Config;
import dev.profguard.detect.EnvironmentDetector;
import dev.profguard.detect.FileMarks;
import dev.profguard.detect.Finding;
import dev.profguard.detect.JvmArgumentDetector;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.MappedObjectDetector;
import dev.profguard.detect.OpenFileDetector;
import dev.profguard.detect.ProbeDetector;
import dev.profguard.detect.ProcFs;
import dev.profguard.detect.Scanner;
import dev.profguard.elf.ElfResult;
import dev.profguard.elf.ElfSymbols;
import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.StartRules;
import dev.profguard.runtime.LoadGate;
import dev.profguard.runtime.Watcher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Each check of the agent on this JVM's real state: the detectors, the whole start-up scan with and
 * without the native probe, the ELF reader and the content check on libjvm.so, the watcher's tick
 * when nothing changed, and the load gate's cost for a library it has already decided about.
 * Targets are in benchmarks/RESULTS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED"})
public class ChecksBenchmark {
    private RuleSet rules;
    private ProcFs view;
    private Probe probe;
    private byte[] startRules;
    private Path libjvm;
    private ElfSymbols elf;
    private Watcher watcher;
    private LoadGate gate;
    private LoadGate gateWithoutProbe;
    private Object[] gateCall;

    @Setup
    public void setUp() throws Exception {
        rules = RuleSet.load(null);
        view = ProcFs.self();
        probe = NativeLoader.load(null); // no Instrumentation here: the loader's System.load route
        libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        elf = new ElfSymbols(rules.allSymbols());
        Config config = Config.resolve("env=production", new Properties(), Map.of());
        watcher = Watcher.create(config, rules, probe, view, null, null, null);
        startRules = NativeLoader.resource(StartRules.RESOURCE, 1 << 20); // looks at everything whatever it finds
        gate = new LoadGate(rules, config, probe);
        gateWithoutProbe = new LoadGate(rules, config, null);
        // A library the JDK has registered (one of its own, in the boot loader's NativeLibraries),
        // loaded again: what the gate sees in front of NativeLibraries.loadLibrary(Class, String,
        // boolean). The calling class is this one, so the gate asks the JDK's registry.
        Object libraries = Class.forName("jdk.internal.loader.BootLoader").getMethod("getNativeLibraries").invoke(null);
        java.lang.reflect.Field names = libraries.getClass().getDeclaredField("libraries");
        names.setAccessible(true);
        String loaded = (String) ((Map<?, ?>) names.get(libraries)).keySet().iterator().next();
        gateCall = new Object[]{"jni", libraries, ChecksBenchmark.class, loaded};
        if (!(gate.apply(gateCall) instanceof Class) || !(gateWithoutProbe.apply(gateCall) instanceof Class)) {
            throw new IllegalStateException("the gate did not let a registered library through");
        }
    }

    @Benchmark
    public List<Finding> environmentDetector() {
        return new EnvironmentDetector().scan(view, new Evidence(rules, null));
    }

    @Benchmark
    public List<Finding> mappedObjectDetector() {
        return new MappedObjectDetector().scan(view, new Evidence(rules, null));
    }

    @Benchmark
    public List<Finding> openFileDetector() {
        return new OpenFileDetector().scan(view, new Evidence(rules, null));
    }

    @Benchmark
    public List<Finding> jvmArgumentDetector() {
        return new JvmArgumentDetector().scan(view, new Evidence(rules, null));
    }

    @Benchmark
    public List<Finding> probeDetector() {
        return new ProbeDetector(probe.loadedObjects()).scan(view, new Evidence(rules, probe));
    }

    /**
     * What a clean production start runs as its whole scan now: the probe's first look in C, with
     * the built-in rules as the build wrote them (0: nothing to look at; the Java scan below runs
     * only when it is not 0).
     */
    @Benchmark
    public int startupFirstLookInProbe() {
        return probe.startScan(startRules);
    }

    @Benchmark
    public List<Finding> wholeStartupScanWithProbe() {
        return new Scanner(rules, probe).scan(view);
    }

    @Benchmark
    public List<Finding> wholeStartupScanWithoutProbe() {
        return new Scanner(rules, null).scan(view);
    }

    @Benchmark
    public ElfResult elfSymbolsOfLibjvm() {
        return elf.read(libjvm);
    }

    @Benchmark
    public List<String> contentMarksOfLibjvm() throws IOException {
        return FileMarks.find(libjvm, rules.allMarks());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void watcherTickNothingChanged() {
        watcher.tick();
    }

    /** The watcher's look for capture data (every fifth interval) when nothing new is open or written. */
    @Benchmark
    public void watcherCaptureLookNothingNew() {
        watcher.lookForCaptureData();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object loadGateOnAnAlreadyLoadedLibrary() {
        return gate.apply(gateCall);
    }

    /** The same without the probe: for JNI the JDK's own registry answers, so no difference. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object loadGateOnAnAlreadyDecidedLibraryWithoutProbe() {
        return gateWithoutProbe.apply(gateCall);
    }
}
