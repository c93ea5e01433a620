package dev.profguard.runtime;

import dev.profguard.config.Config;
import dev.profguard.rules.RuleSet;

import java.lang.instrument.Instrumentation;

/** Installs what guards the JVM after start-up; reports what could not be installed. */
public final class RuntimeGuard {
    private static RuntimeTransformer transformer;

    private RuntimeGuard() {
    }

    /**
     * Installs the library-load gate (once per JVM; a second call only replaces the gate's rules).
     *
     * @return null when installed, else why not, in words for a WARN line
     */
    public static synchronized String install(Instrumentation instrumentation, Config config, RuleSet rules) {
        if (instrumentation == null || !instrumentation.isRetransformClassesSupported()) {
            return "this JVM does not let agents retransform classes";
        }
        try {
            GateBridge.install(instrumentation, new LoadGate(rules, config));
            if (transformer == null) {
                transformer = new RuntimeTransformer();
                // Stays registered: another agent's retransformation of Runtime keeps the gate.
                instrumentation.addTransformer(transformer, true);
                instrumentation.retransformClasses(Runtime.class);
            }
            if (transformer.instrumented() != 2) {
                return "java.lang.Runtime has no load0/loadLibrary0(Class, String) to guard on JDK " + Runtime.version();
            }
            return null;
        } catch (Exception | LinkageError e) {
            return "could not instrument java.lang.Runtime: " + e;
        }
    }
}
