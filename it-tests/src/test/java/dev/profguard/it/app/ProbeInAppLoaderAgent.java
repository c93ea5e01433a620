package dev.profguard.it.app;

import java.lang.instrument.Instrumentation;

/**
 * An agent whose own class path holds the probe's classes (the shaded jar, classes as entries):
 * NativeLoader is then in the application class loader's unnamed module, not in the agent's own
 * loader, and on JDK 24+ loads the library through a copy of itself in a loader of its own.
 * Prints "PROBE LOADED <change count> <module>, java.lang open to it: <whether>" or "PROBE FAILED <why>".
 */
public final class ProbeInAppLoaderAgent {
    private ProbeInAppLoaderAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        try {
            Class<?> loader = Class.forName("dev.profguard.probe.NativeLoader");
            Object probe = loader.getMethod("load", Instrumentation.class).invoke(null, instrumentation);
            Object count = probe.getClass().getMethod("changeCount").invoke(probe);
            System.out.println("PROBE LOADED " + count + " " + loader.getModule()
                    + (loader.getModule() == ClassLoader.getSystemClassLoader().getUnnamedModule() ? " (the application's)" : "")
                    + ", java.lang open to it: " + Object.class.getModule().isOpen("java.lang", loader.getModule()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("PROBE FAILED " + (e.getCause() != null ? e.getCause() : e));
        }
    }
}
