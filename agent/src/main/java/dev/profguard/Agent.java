package dev.profguard;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;

/**
 * The {@code -javaagent} entry points. Kept to the JDK's own classes so that a clean start loads
 * nothing it does not need; the work is in {@link Guard}.
 */
public final class Agent {
    /**
     * The agent given twice (command line and JAVA_TOOL_OPTIONS) runs once: one class, one flag.
     * A plain lock rather than AtomicBoolean, whose VarHandle machinery costs start-up time.
     */
    private static boolean started;

    private Agent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        if (firstStart()) {
            start(args, instrumentation, true);
        }
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        if (firstStart()) {
            start(args, instrumentation, false);
        }
    }

    /**
     * The guard in a class loader of its own ({@link AgentLoader}) when this class comes from a jar,
     * else (classes in a directory: the build's own tests) in this class's loader.
     */
    private static void start(String args, Instrumentation instrumentation, boolean atStartup) {
        File jar = jarOfThisClass();
        if (jar == null || !AgentLoader.start(jar, args, instrumentation, atStartup)) {
            Guard.start(args, instrumentation, atStartup);
        }
    }

    /**
     * The jar this class came from, or null. NativeLoader.jarOf does the same for the probe; it is
     * not called from here, since that would load NativeLoader in the application's loader too.
     */
    private static File jarOfThisClass() {
        try {
            CodeSource source = Agent.class.getProtectionDomain().getCodeSource();
            URL location = source == null ? null : source.getLocation();
            if (location == null || !"file".equals(location.getProtocol())) {
                return null;
            }
            File file = new File(location.toURI());
            return file.isFile() ? file : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static synchronized boolean firstStart() {
        boolean first = !started;
        started = true;
        return first;
    }
}
