package dev.profguard.detect;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Where the JDK's and the operating system's own libraries live. */
public final class Locations {
    private static final String[] SYSTEM_DIRS = {"/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/"};

    private Locations() {
    }

    /**
     * Whether {@code path} is one of the JDK's or the system's own libraries, whose content is not
     * searched for marks: they are large (libjvm.so: 24 MB), and a client installed there is a
     * compromised host, not a stray profiler. Their symbols are still checked. The path is
     * canonicalised first (symbolic links and {@code ..} resolved; lexically where the file is
     * gone), so {@code /usr/lib/../../tmp/x.so} is {@code /tmp/x.so}.
     */
    public static boolean isSystem(String path) {
        String canonical = canonical(path);
        if (canonical == null) {
            return false;
        }
        String javaHome = javaHome();
        if (javaHome != null && !javaHome.isEmpty() && canonical.startsWith(javaHome + "/")) {
            return true;
        }
        for (String dir : SYSTEM_DIRS) {
            if (canonical.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }

    /** The JDK's own directory, canonical; resolved once (java.home is the JVM's, read at its start). */
    private static String javaHome() {
        String home = canonicalJavaHome;
        if (home == null) {
            home = canonical(System.getProperty("java.home", ""));
            canonicalJavaHome = home == null ? "" : home;
        }
        return home;
    }

    private static volatile String canonicalJavaHome;

    /** The real path, or the lexically normalised absolute one when the file cannot be resolved; null if not a path. */
    static String canonical(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        try {
            Path p = Path.of(path);
            try {
                return p.toRealPath().toString();
            } catch (IOException | SecurityException e) {
                return p.normalize().toString();
            }
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
