package dev.profguard.runtime;

import dev.profguard.config.Config;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;

import dev.profguard.act.StateListener;

import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Installs what guards the JVM after start-up; reports what could not be installed. */
public final class RuntimeGuard {
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
    /** 1 when each loader was patched, once per JVM; 0 or -1 when its target was not found. */
    private static int jniPatched;
    private static int ffmPatched;
    private static boolean patched;

    private RuntimeGuard() {
    }

    /**
     * The watcher the gate asks to look at once when a Java-route load mapped more than the file
     * judged (a dependency, what JNI_OnLoad opened): null (watch.interval=0) for none.
     */
    public static void lookAfterLoads(Watcher watcher) {
        RuntimeGuard.watcher = watcher;
    }

    /**
     * Starts the watcher's thread after a clean start, unless watch.interval is 0. The watcher is
     * made on that thread, so its class loads beside main rather than before it. A load before the
     * watcher is made is judged by the gate as any other, and moves the change count, so the
     * watcher's first look sees it: the baseline is the linker's list from before the probe's look.
     */
    public static void watchAfterCleanScan(Config config, RuleSet rules, Probe probe, StateListener listener,
                                           byte[] baseline, long count) {
        if (config.watchIntervalMillis() == 0) {
            return;
        }
        Guarding watch = new Guarding(rules, config, probe, listener, null);
        watch.baseline = baseline;
        watch.count = count;
        dev.profguard.Agent.holdStartClasses(RuntimeGuard.class); // until the thread has loaded the watcher
        Thread thread = new Thread(watch, "profguard-watcher");
        thread.setDaemon(true); // never keeps the JVM alive
        thread.start();
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
            GateBridge.install(instrumentation, new Guarding(rules, config, probe, listener, instrumentation), probe);
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
     */
    private static void patchLoaders(Instrumentation instrumentation, Probe probe) throws Exception {
        Class<?> jni = bootClass(NATIVE_LIBRARIES);
        Class<?> raw = bootClass(RAW_LIBRARIES);
        byte[] jniPatch = null;
        byte[] ffmPatch = null;
        int[] jniCount = {-1};
        int[] ffmCount = {raw == null ? 0 : -1};
        if (probe != null && jni != null && probe.neverRedefined(jni) && (raw == null || probe.neverRedefined(raw))) {
            jniPatch = probe.patchedImageClass(null, "java.base", NATIVE_LIBRARIES, JNI_METHOD, JNI_DESCRIPTOR, JNI_ROUTE,
                    GateBridge.NAME, GateBridge.LOAD_DESCRIPTOR, jniCount);
            if (raw != null) {
                ffmPatch = probe.patchedImageClass(null, "java.base", RAW_LIBRARIES, FFM_METHOD, FFM_DESCRIPTOR, FFM_ROUTE,
                        GateBridge.NAME, GateBridge.LOAD_DESCRIPTOR, ffmCount);
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
        ffmPatched = ffmPatch == null ? 0 : ffmCount[0];
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

    /**
     * What guards the JVM after start-up, one class for its jobs (each class loaded before main
     * costs start-up time): what the bridge calls, the gate, made at the first library load rather
     * than in premain (a clean start loads none of it), its refusals counted for the metrics when
     * health is on (a refusal is the gate's UnsatisfiedLinkError); the gate's way to open the JDK's
     * loaders ({@link #getAsBoolean}); and the watcher thread's first step after a clean start
     * ({@link #run}).
     */
    private static final class Guarding implements Function<Object[], Object>, Runnable, BooleanSupplier {
        private final RuleSet rules;
        private final Config config;
        private final Probe probe;
        private final StateListener listener;
        private volatile LoadGate gate;
        /** For the watcher: the linker's list from before the first look (see {@link Watcher#afterCleanScan}). */
        private byte[] baseline;
        /** The probe's change count when the baseline was listed. */
        private long count;

        /**
         * The agent's Instrumentation, for the gate to open the JDK's loaders at its first load; null
         * for the watcher's thread. Held here only, not in a static field: this object is reachable
         * from the bridge's private hook and the watcher thread, neither of which the application
         * can read without java.lang opened to it.
         */
        private final Instrumentation instrumentation;

        Guarding(RuleSet rules, Config config, Probe probe, StateListener listener, Instrumentation instrumentation) {
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

        /** The watcher thread: make the watcher, hand it to the gate, run it. */
        @Override
        public void run() {
            Watcher made;
            try {
                made = Watcher.afterCleanScan(config, rules, probe, listener, baseline, count);
            } catch (Throwable t) { // a bug of ours: said, and main goes on unwatched (the gate stays)
                if (dev.profguard.Agent.ownClassFailure(t)) {
                    // the jar cannot give the watcher's classes: a production JVM is not left unwatched
                    dev.profguard.Agent.damaged(t, config.isProduction());
                    return;
                }
                dev.profguard.log.Logs.get(config.logFormat()).error(
                        "internal error, the runtime watcher did not start: {}. main runs; please report this.",
                        String.valueOf(t));
                return;
            } finally {
                dev.profguard.Agent.startClassesLoaded(RuntimeGuard.class); // the watcher's classes are loaded, or never will be
            }
            baseline = null;
            lookAfterLoads(made);
            made.run();
        }

        @Override
        public Object apply(Object[] call) {
            LoadGate judge = gate;
            if (judge == null) {
                synchronized (this) {
                    if (gate == null) {
                        try {
                            gate = new LoadGate(rules, config, probe, this);
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
    }
}
