package dev.profguard.runtime;

import dev.profguard.config.Config;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;

import dev.profguard.act.StateListener;

import java.io.ByteArrayOutputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Installs what guards the JVM after start-up; reports what could not be installed. An instance
 * is what guards it then, one class for its jobs (each class loaded before main costs start-up
 * time; this was a nested class of its own): what the bridge calls, the gate, made at the first
 * library load rather than in premain (a clean start loads none of it), its refusals counted for
 * the metrics when health is on (a refusal is the gate's UnsatisfiedLinkError); the gate's way to
 * open the JDK's loaders ({@link #getAsBoolean}); and the watcher thread's first step after a clean
 * start ({@link #run}). Instances are made here only, and held by the bridge, the gate and the watcher's thread.
 */
public final class RuntimeGuard implements Function<Object[], Object>, Runnable, BooleanSupplier {
    /** The two loaders the gate patches (see {@link LoadTransformer} for where and why). */
    static final String NATIVE_LIBRARIES = "jdk/internal/loader/NativeLibraries";
    static final String RAW_LIBRARIES = "jdk/internal/loader/RawNativeLibraries";
    /** Where the gate goes in each (method, its descriptor's start) and the route it reports: the probe's patch and JdkLoaderPatch take these. */
    static final String JNI_METHOD = "loadLibrary";
    static final String JNI_DESCRIPTOR = "(Ljava/lang/Class;Ljava/lang/String;Z)";
    static final String JNI_ROUTE = "jni";
    static final String FFM_METHOD = "load";
    static final String FFM_DESCRIPTOR = "(Ljava/lang/String;)";
    static final String FFM_ROUTE = "ffm";
    /**
     * Looks at once at what a load mapped besides the judged file; null: its own interval will.
     * Here, not in the gate, so that setting it does not load the gate before main.
     */
    static volatile Watcher watcher;
    /** After a clean start, the watcher thread's task until its watcher is made (see {@link #watcherNow}). */
    private static volatile RuntimeGuard pendingWatch;
    /** 1 when each loader was patched, once per JVM; 0 or -1 when its target was not found. */
    private static int jniPatched;
    private static int ffmPatched;
    private static boolean patched;

    /** Null for the built-in ones (a clean start): made when the gate is. */
    private final RuleSet rules;
    private final Config config;
    private final Probe probe;
    private final StateListener listener;
    private volatile LoadGate gate;
    /** For the watcher: the linker's list from before the first look (see {@link Watcher#afterCleanScan}). */
    private byte[] baseline;
    /** The probe's change count when the baseline was listed. */
    private long count;
    /** When the start handed the watch over (what is written after it is new to the watcher). */
    private long started;
    /** Whether the gate asked the watcher thread to make the watcher now; whether that thread has tried. */
    private boolean wakeNow;
    private boolean madeTried;
    /**
     * What the gate warned of and let load outside production: its path and the rule, and true when
     * that rule's finding was strong. There the watcher would only say the same again (a second
     * WARN). Another rule's finding of that path, or a stronger one, is still said (red team round
     * 17: a path said for a warn-only profiler, then holding MTuner's client, was not said again).
     * In production nothing is kept here: the watcher acts on what it finds per runtime.action,
     * whatever the gate's action let load.
     */
    private static final java.util.Map<String, Boolean> SAID_AT_LOAD = new java.util.HashMap<>();

    /** True for the shutdown hook's task: its {@link #run} is the {@link #lastLook}, not the watch. */
    private boolean lastLookTask;
    /** Whether the last look's hook is registered (under the class's lock); whether it has looked (under {@link #LAST_LOOK}). */
    private static boolean lastLookHooked;
    private static boolean lookedLast;
    /** Held through the last look: a second caller waits for it. Never taken with the class's lock. */
    private static final Object LAST_LOOK = new Object();

    /**
     * The agent's Instrumentation, for the gate to open the JDK's loaders at its first load; null
     * for the watcher's thread. Held here only, not in a static field: this object is reachable
     * from the bridge's private hook and the watcher thread, neither of which the application
     * can read without java.lang opened to it.
     */
    private final Instrumentation instrumentation;

    private RuntimeGuard(RuleSet rules, Config config, Probe probe, StateListener listener, Instrumentation instrumentation) {
        this.rules = rules;
        this.config = config;
        this.probe = probe;
        this.listener = listener;
        this.instrumentation = instrumentation;
    }

    /** For the gate: opens java.base's jdk.internal.loader and java.io to the agent ({@link #openJdkLoaders}). */
    @Override
    public boolean getAsBoolean() {
        return openJdkLoaders(instrumentation);
    }

    /**
     * The watcher thread: the first interval, then make the watcher, hand it to the gate and run
     * it, its first tick at once. Made after the interval, not before it: its class and baseline
     * (about half a millisecond of a core) no longer load beside main's first milliseconds, nor
     * at all in a JVM that ends sooner; its first tick comes when it came before. A load in the
     * meantime is judged by the gate and moves the change count the first tick compares; and
     * when a load mapped more than the gate judged (what a JNI_OnLoad opened), the gate wakes this
     * thread to make the watcher at once, and waits for it ({@link #watcherNow}).
     *
     * <p>Made on this thread only, never on the application's: there, a failure the application
     * arranged (its stack nearly used up, its heap full) would have ended the watch for good
     * before it began, silently (red team, round 14).
     */
    @Override
    public void run() {
        if (lastLookTask) {
            lastLook();
            return;
        }
        synchronized (this) {
            awaitFlag(false, config.watchIntervalMillis()); // interrupted: not ours to be stopped by, the watch starts now
        }
        Watcher watch = made();
        synchronized (this) {
            madeTried = true;
            notifyAll(); // a gate waiting in watcherNow
        }
        pendingWatch = null; // the watcher is in watcher now, or never will be
        if (watch != null) {
            watch.run(false);
        }
    }

    /** How long a load waits for the watcher thread to make the watcher it asked for (it goes on after). */
    private static final long WAKE_WAIT_MILLIS = 5_000;

    /**
     * The watcher to ask for a look now, or null when there is none. After a clean start, within
     * the first interval, the watcher thread is woken to make it, and this waits for that (at most
     * {@value #WAKE_WAIT_MILLIS} ms; an interrupt ends the wait and is kept).
     */
    static Watcher watcherNow() {
        Watcher watch = watcher;
        if (watch != null) {
            return watch;
        }
        RuntimeGuard task = pendingWatch;
        if (task != null) {
            task.wakeAndWait();
        }
        return watcher;
    }

    private synchronized void wakeAndWait() {
        wakeNow = true;
        notifyAll();
        if (!awaitFlag(true, WAKE_WAIT_MILLIS)) {
            Thread.currentThread().interrupt(); // the application's; the watch goes on without this wait
        }
    }

    /**
     * Waits on this task, its monitor held, until {@code madeTried} (or {@code wakeNow}, when not
     * {@code made}) is set or {@code millis} have passed: false when interrupted, which ends the wait.
     */
    private boolean awaitFlag(boolean made, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        for (long left = end - System.nanoTime(); !(made ? madeTried : wakeNow) && left > 0; left = end - System.nanoTime()) {
            try {
                wait(Math.max(1, left / 1_000_000L));
            } catch (Exception e) { // InterruptedException, not named: the verifier would load it before main (JDK 17)
                return false;
            }
        }
        return true;
    }

    /** This task's watcher, made on the watcher thread once; null when it could not be (said). */
    private Watcher made() {
        Watcher watch;
        try {
            watch = Watcher.afterCleanScan(config, rules, probe, listener, baseline, count, started);
        } catch (Throwable t) { // a bug of ours: said, and main goes on unwatched (the gate stays)
            if (dev.profguard.Agent.ownClassFailure(t)) {
                // the jar cannot give the watcher's classes: a production JVM is not left unwatched
                dev.profguard.Agent.damaged(t, config.isProduction());
                return null;
            }
            dev.profguard.log.Logs.get(config.logFormat()).error(
                    "internal error, the runtime watcher did not start: {}. main runs; please report this.",
                    String.valueOf(t));
            return null;
        } finally {
            dev.profguard.Agent.startClassesLoaded(RuntimeGuard.class); // the watcher's classes are loaded, or never will be
        }
        baseline = null;
        watcher = watch; // the last look's hook was registered with this task, before main
        return watch;
    }

    @Override
    public Object apply(Object[] call) {
        LoadGate judge = gate;
        if (judge == null) {
            synchronized (this) {
                if (gate == null) {
                    try {
                        gate = new LoadGate(RuleSet.orBuiltIn(rules), config, probe, this);
                    } catch (LinkageError e) {
                        if (!dev.profguard.Agent.ownClassFailure(e)) {
                            throw e;
                        }
                        // The gate itself cannot be read from the jar: nothing can be judged. In
                        // production the JVM ends with the damaged jar's ERROR and 64; elsewhere,
                        // where the guard only warns, the line is said once and loads run.
                        dev.profguard.Agent.damaged(e, config.isProduction());
                        return Void.class; // LoadGate.RUN, which cannot be read either
                    }
                }
                judge = gate;
            }
        }
        if (listener == null) {
            return judge.apply(call);
        }
        try {
            return judge.apply(call);
        } catch (LinkageError refused) { // UnsatisfiedLinkError, not named: the verifier would load it before main
            if (refused instanceof UnsatisfiedLinkError) {
                listener.counted(StateListener.Count.REFUSED_LOAD);
            }
            throw refused;
        }
    }

    /**
     * The watcher the gate asks to look at once when a Java-route load mapped more than the file
     * judged (a dependency, what JNI_OnLoad opened): null (watch.interval=0) for none.
     */
    public static void lookAfterLoads(Watcher watcher) {
        RuntimeGuard.watcher = watcher;
        if (watcher != null) {
            hookLastLook(watcher.config(), watcher.probe());
        }
    }

    /** The gate warned of {@code path} by {@code rule} and let it load ({@code strong}: a strong finding). */
    static void saidAtLoad(String path, String rule, boolean strong) {
        String key = path + '\n' + rule;
        synchronized (SAID_AT_LOAD) {
            Boolean said = SAID_AT_LOAD.get(key);
            SAID_AT_LOAD.put(key, strong || said != null && said);
        }
    }

    /** Whether the gate already said, at its load, {@code rule}'s finding of {@code path}, as strong as {@code strong}. */
    static boolean wasSaidAtLoad(String path, String rule, boolean strong) {
        synchronized (SAID_AT_LOAD) {
            Boolean said = SAID_AT_LOAD.get(path + '\n' + rule);
            return said != null && (said || !strong);
        }
    }

    /**
     * Registers the {@link #lastLook} as a shutdown hook, once per JVM. No class of ours: the
     * hook's task is a RuntimeGuard, and the JDK's hook classes are in its CDS archive.
     */
    private static synchronized void hookLastLook(Config config, Probe probe) {
        if (lastLookHooked) {
            return;
        }
        lastLookHooked = true;
        RuntimeGuard task = new RuntimeGuard(null, config, probe, null, null);
        task.lastLookTask = true;
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(task, "profguard-last-look"));
        } catch (RuntimeException e) { // IllegalStateException, not named: the JVM is already ending
            // nothing to do: the hooks have run or are running
        }
    }

    /**
     * Whether the probe's first look, with the built-in rules the build wrote for it, says the
     * full scan would find nothing: at start-up (Guard) and at the JVM's end ({@link #lastLook}),
     * where {@code atEnd} gives it the files the gate judged and has it list the working directory
     * for a capture file's name (not at start-up: a file an earlier run left there is no reason to
     * look closer at a start). Anything else (something to look at, rules it cannot read, a
     * failure) means look closer.
     */
    public static boolean firstLookIsClean(Probe probe, boolean atEnd) {
        try {
            byte[] rules = startRules;
            if (rules == null) { // read once, at start-up, from the agent's own jar: 3 KB kept for the end
                rules = dev.profguard.probe.NativeLoader.resource(dev.profguard.Agent.ownJar(RuntimeGuard.class),
                        dev.profguard.rules.StartRules.RESOURCE, 1 << 20);
                startRules = rules;
            }
            return probe.startScan(rules, atEnd ? judgedFiles() : null) == 0;
        } catch (Exception e) { // ProbeUnavailableException among them: the full look says why
            return false;
        }
    }

    /** The built-in rules as the probe's first look reads them (the build wrote them into the jar). */
    private static volatile byte[] startRules;

    /**
     * Files the gate judged whole and found mapped as judged (stat's device, inode and change time
     * in ns, triples), for
     * the probe's first look at the end: their objects are placed as the system's are, judged by
     * their images in memory. Without it every JNI library outside the system's directories made
     * the end a whole look (+44.5 ms at exit).
     */
    private static long[] judgedFiles = new long[0];
    /**
     * The linker's change count up to which every change was a load the gate judged and found
     * mapped as judged, from the clean start's baseline on; -1 when unknown. What the end need not
     * look at again.
     */
    private static long explainedCount = -1;

    /**
     * The gate judged the file of stat's {@code device} and {@code inode}, as it was at {@code
     * changed} (its change time in ns: a file rewritten in place keeps its device and inode), and
     * found it mapped as judged.
     */
    static synchronized void judgedAtLoad(long device, long inode, long changed) {
        for (int i = 0; i + 2 < judgedFiles.length; i += 3) {
            if (judgedFiles[i] == device && judgedFiles[i + 1] == inode && judgedFiles[i + 2] == changed) {
                return;
            }
        }
        if (judgedFiles.length < 3 * 4096) {
            long[] more = java.util.Arrays.copyOf(judgedFiles, judgedFiles.length + 3);
            more[judgedFiles.length] = device;
            more[judgedFiles.length + 1] = inode;
            more[judgedFiles.length + 2] = changed;
            judgedFiles = more;
        }
    }

    /** A load the gate judged took the count from {@code from} to {@code to}, and nothing else moved it. */
    static synchronized void explained(long from, long to) {
        if (from == explainedCount) {
            explainedCount = to;
        }
    }

    /** Whether every change of the linker's list up to {@code count} is explained by the gate's judged loads. */
    static synchronized boolean isExplained(long count) {
        return count >= 0 && count == explainedCount;
    }

    private static synchronized long[] judgedFiles() {
        return judgedFiles;
    }

    /**
     * The JVM is ending normally (main returned, System.exit, SIGTERM): one more look, before the
     * C library runs the destructors and exit handlers in which a client writes what it buffered
     * (a client that native code loaded behind the gate's back after the watcher's last tick would
     * otherwise leave its capture file). A tick (one read of the counter when nothing moved; when
     * it moved, a look and a look for capture data, which a client gone since leaves behind), then,
     * with the built-in rules, the probe's first look (about a third of a millisecond): native code
     * can put the counter back (red team round 17), and what the first look flags is looked at
     * whole, capture data included. A whole look on every end cost a JVM that ran past the first
     * interval 35-42 ms (its classes), so only what the first look flags gets one. What it finds
     * is acted on as the watcher acts (runtime.action): switched off and its data deleted, or the
     * JVM ended through _exit. Once per JVM; a second caller (the health publisher's hook, before
     * it writes STOPPED) waits for the first to end.
     */
    public static void lastLook() {
        synchronized (LAST_LOOK) {
            if (lookedLast) {
                return;
            }
            lookedLast = true;
            Watcher watch = watcher;
            RuntimeGuard task = pendingWatch;
            Config config = watch != null ? watch.config() : task != null ? task.config : null;
            try {
                if (watch == null && task == null) {
                    return; // no watch
                }
                Probe probe = watch != null ? watch.probe() : task.probe;
                boolean builtIn = watch != null ? watch.builtInRules() : task.rules == null;
                boolean moved = watch != null || probe == null || task.count < 0
                        || probe.changeCount() != task.count && !isExplained(probe.changeCount());
                boolean flagged = probe != null && builtIn && !firstLookIsClean(probe, true);
                if (!moved && !flagged) {
                    return; // nothing loaded or unloaded since start-up, and nothing to look at
                }
                watch = watch != null ? watch : watcherNow();
                if (watch == null) {
                    return;
                }
                if (flagged) {
                    watch.lookAtEnd();
                } else {
                    watch.tickAtEnd();
                }
            } catch (Throwable t) { // a bug of ours: said, and the JVM ends as it was going to
                dev.profguard.log.Logs.get(config.logFormat()).error(
                        "internal error, the last look at the JVM's end failed: {}. Please report this.", String.valueOf(t));
            }
        }
    }

    /**
     * Starts the watcher's thread after a clean start, unless watch.interval is 0. The watcher is
     * made on that thread, so its class loads beside main rather than before it. A load before the
     * watcher is made is judged by the gate as any other, and moves the change count, so the
     * watcher's first look sees it: the baseline is the linker's list from before the probe's look.
     * {@code rules} is null for the built-in ones alone.
     */
    public static void watchAfterCleanScan(Config config, RuleSet rules, Probe probe, StateListener listener,
                                           byte[] baseline, long count) {
        if (config.watchIntervalMillis() == 0) {
            return;
        }
        RuntimeGuard watch = new RuntimeGuard(rules, config, probe, listener, null);
        watch.baseline = baseline;
        watch.count = count;
        watch.started = System.currentTimeMillis();
        dev.profguard.Agent.holdStartClasses(RuntimeGuard.class); // until the thread has loaded the watcher
        pendingWatch = watch;
        explained(-1, count); // from the baseline on, what the gate's loads explain
        hookLastLook(config, probe);
        Thread thread = new Thread(watch, "profguard-watcher");
        thread.setDaemon(true); // never keeps the JVM alive
        try {
            thread.start();
        } catch (RuntimeException | Error e) { // no thread: no watcher for a load to wait for
            pendingWatch = null;
            throw e;
        }
    }

    private static Class<?> bootClass(String internalName) {
        try {
            return Class.forName(internalName.replace('/', '.'), false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /**
     * Installs the library-load gate (once per JVM; a second call only replaces the gate's rules).
     *
     * @param rules the rules in force, null for the built-in ones alone (a clean start)
     * @param probe the native probe when loaded, else null
     * @return null when installed, else why not, in words for a WARN line
     */
    public static String install(Instrumentation instrumentation, Config config, RuleSet rules, Probe probe) {
        return install(instrumentation, config, rules, probe, null);
    }

    /** As above; {@code listener} (health), when not null, counts the loads the gate refuses. */
    public static synchronized String install(Instrumentation instrumentation, Config config, RuleSet rules, Probe probe,
                                              StateListener listener) {
        if (instrumentation == null || !instrumentation.isRetransformClassesSupported()
                || !instrumentation.isRedefineClassesSupported()) {
            return "this JVM does not let agents retransform and redefine classes";
        }
        try {
            installBridge(instrumentation, new RuntimeGuard(rules, config, probe, listener, instrumentation), probe);
            if (!patched) {
                patched = true;
                patchLoaders(instrumentation, probe);
            }
            if (jniPatched != 1) {
                return "jdk.internal.loader.NativeLibraries has no loadLibrary(Class, String, boolean) to guard on JDK "
                        + Runtime.version();
            }
            if (Runtime.version().feature() >= 22 && ffmPatched != 1) {
                return "FFM's RawNativeLibraries.load(String) was not found on JDK " + Runtime.version()
                        + ": SymbolLookup.libraryLookup is not gated (System.load and loadLibrary are)";
            }
            if (!jdkLoadersPresent()) {
                return "the JDK's library loaders cannot be called by the agent on JDK " + Runtime.version()
                        + ": loads are judged before dlopen but not looked at after";
            }
            return null;
        } catch (Exception | LinkageError e) {
            return "could not instrument the JDK's native library loaders: " + e;
        }
    }

    /**
     * Patches the loaders' class files, then redefines them with the gate in front: no transformer
     * stays registered (see {@link LoadTransformer}). When the JVM still runs both classes as they
     * were defined in the runtime image (no agent redefined them before), the probe reads and
     * patches them in one call; otherwise, or when its patch declines a class file,
     * {@link JdkLoaderPatch} does it in Java.
     *
     * <p>FFM's loader (RawNativeLibraries, JDK 18+) is not loaded before something uses FFM, so on
     * a start it is usually not loaded yet: the probe then defines it from the runtime image with
     * the gate in front, and there is nothing to redefine (the gate's patch step took 2.46 ms
     * with it loaded and redefined, 1.88 ms so, on JDK 25, measured here). Defined so, it is its own initial class
     * file: another agent's later retransformation starts from it, gate included, as from a
     * redefinition. When it is loaded already (an agent before this one used FFM), it is
     * redefined as NativeLibraries is.
     */
    private static void patchLoaders(Instrumentation instrumentation, Probe probe) throws Exception {
        Class<?> jni = bootClass(NATIVE_LIBRARIES);
        // FFM's loader from the image, patched once: defined with it, or (loaded already, as the
        // image has it) redefined with it below
        int[] imageFfmCount = {-1};
        byte[] imageFfm = probe == null || jni == null ? null : probe.patchedImageClass(null, "java.base", RAW_LIBRARIES,
                FFM_METHOD, FFM_DESCRIPTOR, FFM_ROUTE, BRIDGE, BRIDGE_LOAD_DESCRIPTOR, imageFfmCount);
        boolean ffmDefined = imageFfm != null && probe.defineBootClassIfAbsent(RAW_LIBRARIES, imageFfm);
        boolean ffmAbsent = imageFfm == null && imageFfmCount[0] == -2; // not in the image: no FFM loader (JDK 17)
        Class<?> raw = ffmDefined || ffmAbsent ? null : bootClass(RAW_LIBRARIES);
        byte[] jniPatch = null;
        byte[] ffmPatch = null;
        int[] jniCount = {-1};
        int[] ffmCount = {raw == null ? 0 : -1};
        if (probe != null && jni != null && probe.neverRedefined(jni) && (raw == null || probe.neverRedefined(raw))) {
            jniPatch = probe.patchedImageClass(null, "java.base", NATIVE_LIBRARIES, JNI_METHOD, JNI_DESCRIPTOR, JNI_ROUTE,
                    BRIDGE, BRIDGE_LOAD_DESCRIPTOR, jniCount);
            if (raw != null) {
                ffmPatch = imageFfm;
                ffmCount[0] = imageFfmCount[0];
            }
        }
        if (jniCount[0] < 0 || ffmCount[0] < 0) { // no probe, redefined before, not in the image, or declined
            int[] counts = {0, 0};
            byte[][] patches = JdkLoaderPatch.patch(instrumentation, probe, jni, raw, counts);
            jniPatch = patches[0];
            ffmPatch = patches[1];
            jniCount[0] = counts[0];
            ffmCount[0] = counts[1];
        }
        jniPatched = jniPatch == null ? 0 : jniCount[0];
        ffmPatched = ffmDefined ? imageFfmCount[0] : ffmPatch == null ? 0 : ffmCount[0];
        if (jniPatch != null && ffmPatch != null) {
            instrumentation.redefineClasses(new ClassDefinition(jni, jniPatch), new ClassDefinition(raw, ffmPatch));
        } else if (jniPatch != null) {
            instrumentation.redefineClasses(new ClassDefinition(jni, jniPatch));
        } else if (ffmPatch != null) {
            instrumentation.redefineClasses(new ClassDefinition(raw, ffmPatch));
        }
    }

    /**
     * Whether this JDK has the members the gate calls to run loads itself and look at what they
     * mapped ({@link JdkLoaders}; false: it judges before the load only). Asked by reflection,
     * so that neither the gate nor its handles are loaded before the first library load needs them.
     */
    static boolean jdkLoadersPresent() {
        try {
            Class<?> nativeLibraries = Class.forName("jdk.internal.loader.NativeLibraries", false, null);
            nativeLibraries.getDeclaredMethod("loadLibrary", Class.class, String.class, boolean.class);
            nativeLibraries.getDeclaredField("libraries");
            java.io.FileDescriptor.class.getDeclaredField("fd");
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Opens java.base's jdk.internal.loader and java.io to the agent, for the gate's handles on
     * the JDK's loaders (the gate runs the load itself and judges the open file): once, at the
     * first library load rather than in premain, where redefineModule's first call cost
     * milliseconds. Whether they are open.
     */
    static synchronized boolean openJdkLoaders(Instrumentation instrumentation) {
        Module base = Object.class.getModule();
        Module agent = RuntimeGuard.class.getModule();
        if (!base.isOpen("jdk.internal.loader", agent) || !base.isOpen("java.io", agent)) {
            if (instrumentation == null) {
                return false;
            }
            try {
                instrumentation.redefineModule(base, Set.of(), Map.of(),
                        Map.of("jdk.internal.loader", Set.of(agent), "java.io", Set.of(agent)), Set.of(), Map.of());
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }
        return base.isOpen("jdk.internal.loader", agent) && base.isOpen("java.io", agent);
    }

    // The bridge: here rather than in a class of its own, one class less to load before main (issue #16).

    /**
     * Defines {@code java.lang.ProfguardBridge} in java.base, the one class that code instrumented
     * inside java.base (the JDK's native-library loaders) can call: the boot loader cannot see the
     * agent's classes, and appending the agent jar to the bootstrap search makes the JVM print a CDS
     * warning (JDK 17 and 25). The bridge holds a {@code Function<Object[], Object>} hook, set here,
     * and a static {@code load(String route, Object loader, Class<?> from, String name)} that passes
     * each call to it and returns what it returns: the library to return in place of the original
     * method, or a {@code Class} (the bridge itself when no hook is set) meaning "run the method".
     *
     * <p>It is defined by the probe through JNI, or else through a private lookup on java.lang, which
     * Instrumentation.redefineModule opens to the agent's module for that purpose.
     */
    static final String BRIDGE = "java/lang/ProfguardBridge";
    static final String BRIDGE_LOAD_DESCRIPTOR =
            "(Ljava/lang/String;Ljava/lang/Object;Ljava/lang/Class;Ljava/lang/String;)Ljava/lang/Object;";

    /**
     * Defines the bridge (once per JVM) and sets its hook: through the probe's JNI DefineClass in
     * the boot loader when it is loaded (no module opened: about 0.5 ms where the other route's
     * redefineModule and private lookup cost about 4.7 ms of premain, issue #16), else as below.
     */
    static synchronized void installBridge(Instrumentation instrumentation, Function<Object[], Object> hook, Probe probe)
            throws Exception {
        if (probe != null && probe.defineBootClass(BRIDGE, bridgeBytes(BRIDGE), "hook", "Ljava/util/function/Function;", hook)) {
            return;
        }
        Class<?> bridge;
        // java.lang opened to the agent's module: to define the bridge, and to set its private hook
        if (!Object.class.getModule().isOpen("java.lang", RuntimeGuard.class.getModule())) {
            instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(RuntimeGuard.class.getModule())), Set.of(), Map.of());
        }
        try {
            bridge = Class.forName(BRIDGE.replace('/', '.'), false, null);
        } catch (ClassNotFoundException e) {
            bridge = MethodHandles.privateLookupIn(Runtime.class, MethodHandles.lookup()).defineClass(bridgeBytes(BRIDGE));
        }
        // private: an application cannot replace the gate (java.lang is not open to it)
        Field field = bridge.getDeclaredField("hook");
        field.setAccessible(true);
        field.set(null, hook);
    }

    /**
     * The bridge's class file, written out by hand (18 constants, one field, one method) rather
     * than with ASM, whose classes would cost more to load on the path to main than the class
     * itself (benchmarks/RESULTS.md):
     * <pre>
     * public final class ProfguardBridge {
     *     private static volatile Function&lt;Object[], Object&gt; hook;
     *     public static Object load(String route, Object loader, Class&lt;?&gt; from, String name) {
     *         Function h = hook;
     *         if (h == null) return ProfguardBridge.class;
     *         return h.apply(new Object[] {route, loader, from, name});
     *     }
     * }
     * </pre>
     * The unit tests define it under another name in a verifying class loader and call it.
     *
     * @param name the internal name to give it ({@link #BRIDGE} but in tests)
     */
    static byte[] bridgeBytes(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(500);
        put(out, 0xCAFE, 0xBABE, 0, 55, 19);         // magic, minor, major (Java 11), constant count
        utf8(out, name);                             // #1
        classRef(out, 1);                            // #2
        utf8(out, "java/lang/Object");               // #3
        classRef(out, 3);                            // #4
        utf8(out, "hook");                           // #5
        utf8(out, "Ljava/util/function/Function;");  // #6
        utf8(out, "load");                           // #7
        utf8(out, BRIDGE_LOAD_DESCRIPTOR);           // #8
        utf8(out, "Code");                           // #9
        pair(out, 12, 5, 6);                         // #10 NameAndType hook:Function
        pair(out, 9, 2, 10);                         // #11 Fieldref ProfguardBridge.hook
        utf8(out, "java/util/function/Function");    // #12
        classRef(out, 12);                           // #13
        utf8(out, "apply");                          // #14
        utf8(out, "(Ljava/lang/Object;)Ljava/lang/Object;"); // #15
        pair(out, 12, 14, 15);                       // #16 NameAndType apply
        pair(out, 11, 13, 16);                       // #17 InterfaceMethodref Function.apply
        utf8(out, "StackMapTable");                  // #18
        put(out, 0x0031, 2, 4, 0);                   // public final super, this #2, super #4, no interfaces
        put(out, 1, 0x004A, 5, 6, 0);                // one field: private static volatile hook, no attributes
        put(out, 1, 0x0009, 7, 8, 1);                // one method: public static load, one attribute
        byte[] code = {
            (byte) 0xb2, 0, 11,                      // 0: getstatic hook
            0x59,                                    // 3: dup
            (byte) 0xc7, 0, 7,                       // 4: ifnonnull 11
            0x57,                                    // 7: pop
            0x12, 2,                                 // 8: ldc ProfguardBridge.class: "run the method"
            (byte) 0xb0,                             // 10: areturn
            0x07,                                    // 11: iconst_4        (stack: hook)
            (byte) 0xbd, 0, 4,                       // 12: anewarray Object
            0x59, 0x03, 0x2a, 0x53,                  // 15: dup, iconst_0, aload_0, aastore
            0x59, 0x04, 0x2b, 0x53,                  // 19: dup, iconst_1, aload_1, aastore
            0x59, 0x05, 0x2c, 0x53,                  // 23: dup, iconst_2, aload_2, aastore
            0x59, 0x06, 0x2d, 0x53,                  // 27: dup, iconst_3, aload_3, aastore
            (byte) 0xb9, 0, 17, 2, 0,                // 31: invokeinterface Function.apply, 2 slots
            (byte) 0xb0                              // 36: areturn
        };
        byte[] stackMap = {0, 1, 64 + 11, 7, 0, 13}; // one frame at 11: same locals, stack [Function]
        put(out, 9);                                 // Code
        put4(out, 8 + code.length + 4 + 6 + stackMap.length); // limits, code, no handlers, one attribute
        put(out, 5, 4);                              // max_stack, max_locals
        put4(out, code.length);
        out.write(code, 0, code.length);
        put(out, 0, 1, 18);                          // no handlers; one attribute: StackMapTable
        put4(out, stackMap.length);
        out.write(stackMap, 0, stackMap.length);
        put(out, 0);                                 // no class attributes
        return out.toByteArray();
    }

    private static void utf8(ByteArrayOutputStream out, String text) {
        out.write(1);
        put(out, text.length());
        for (int i = 0; i < text.length(); i++) {
            out.write(text.charAt(i)); // every name here is ASCII
        }
    }

    private static void classRef(ByteArrayOutputStream out, int name) {
        out.write(7);
        put(out, name);
    }

    private static void pair(ByteArrayOutputStream out, int tag, int first, int second) {
        out.write(tag);
        put(out, first, second);
    }

    /** Each value as a big-endian u2. */
    private static void put(ByteArrayOutputStream out, int... values) {
        for (int value : values) {
            out.write(value >>> 8);
            out.write(value);
        }
    }

    private static void put4(ByteArrayOutputStream out, int value) {
        put(out, value >>> 16, value & 0xffff);
    }
}
