package dev.profguard.detect;

/** Where the JDK's and the operating system's own libraries live. */
public final class Locations {
    private static final String[] SYSTEM_DIRS = {"/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/"};

    private Locations() {
    }

    /**
     * Whether {@code path} is one of the JDK's or the system's own libraries, whose content is not
     * searched for marks: they are large (libjvm.so: 24 MB), and a client installed there is a
     * compromised host, not a stray profiler. Their symbols are still checked.
     */
    public static boolean isSystem(String path) {
        String javaHome = System.getProperty("java.home");
        if (javaHome != null && path.startsWith(javaHome + "/")) {
            return true;
        }
        for (String dir : SYSTEM_DIRS) {
            if (path.startsWith(dir)) {
                return true;
            }
        }
        return false;
    }
}
