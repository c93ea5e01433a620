package dev.profguard.runtime;

import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;

import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;

/** Installs what guards the JVM after start-up; reports what could not be installed. */
public final class RuntimeGuard {
    private static LoadTransformer transformer;

    private RuntimeGuard() {
    }

    /** FFM's loader (JDK 22+), loaded without initialising it; null where it does not exist. */
    private static Class<?> rawNativeLibraries() {
        try {
            return Class.forName(LoadTransformer.RAW_LIBRARIES.replace('/', '.'), false, null);
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
        if (instrumentation == null || !instrumentation.isRetransformClassesSupported()) {
            return "this JVM does not let agents retransform classes";
        }
        try {
            Consumer<Object[]> gate = new LoadGate(rules, config, probe);
            GateBridge.install(instrumentation, listener == null ? gate : new Counted(gate, listener));
            if (transformer == null) {
                transformer = new LoadTransformer();
                // Stays registered: another agent's retransformation of Runtime keeps the gate.
                instrumentation.addTransformer(transformer, true);
                instrumentation.retransformClasses(Runtime.class);
                Class<?> raw = rawNativeLibraries();
                if (raw != null) {
                    instrumentation.retransformClasses(raw);
                }
            }
            if (transformer.runtimeInstrumented() != 2) {
                return "java.lang.Runtime has no load0/loadLibrary0(Class, String) to guard on JDK " + Runtime.version();
            }
            if (Runtime.version().feature() >= 22 && transformer.ffmInstrumented() != 2) {
                return "FFM's RawNativeLibraries.load(Path|String) was not found on JDK " + Runtime.version()
                        + ": SymbolLookup.libraryLookup is not gated (System.load and loadLibrary are)";
            }
            return null;
        } catch (Exception | LinkageError e) {
            return "could not instrument java.lang.Runtime: " + e;
        }
    }

    /** The gate, its refusals counted for the metrics: a refusal is the gate's UnsatisfiedLinkError. */
    private static final class Counted implements Consumer<Object[]> {
        private final Consumer<Object[]> gate;
        private final StateListener listener;

        Counted(Consumer<Object[]> gate, StateListener listener) {
            this.gate = gate;
            this.listener = listener;
        }

        @Override
        public void accept(Object[] call) {
            try {
                gate.accept(call);
            } catch (UnsatisfiedLinkError refused) {
                listener.counted(StateListener.Count.REFUSED_LOAD);
                throw refused;
            }
        }
    }
}
