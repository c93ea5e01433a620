package dev.profguard.detect;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Where the JDK's and the operating system's own libraries live. */
public final class Locations {
    /**
     * The system's library directories themselves, not their subdirectories: a vendor's
     * {@code /usr/lib/myapp/} is not the system's.
     */
    private static final List<String> SYSTEM_DIRS = List.of("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32",
            "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu");

    private static volatile String jdkHome;

    private Locations() {
    }

    /**
     * Whether {@code path} is one of the running JDK's or the system's own libraries, whose
     * content is not searched for marks: they are large (libjvm.so: 24 MB), and a client installed
     * there is a compromised host, not a stray profiler. Their symbols are still checked. Only an
     * existing file, by its real path (links and {@code ..} resolved), directly in one of the
     * system's library directories or under the running JDK's own directory, counts: a name that
     * does not resolve (a deleted file, a memfd named {@code x/../../usr/lib/libz.so}) never does,
     * and the JDK is the one this process runs ({@code /proc/self/exe}), not the {@code java.home}
     * property, which a command line can set.
     */
    public static boolean isSystem(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        // Fast, for the usual names (no "." or ".." segments) of files that are there: a link inside
        // those directories needs root to make, like the library itself. Anything else by real path.
        boolean plain = !path.contains("/.") && !path.contains("//");
        if (plain && inSystemPlace(path) && new java.io.File(path).isFile()) {
            return true;
        }
        return inSystemPlace(realPath(path));
    }

    private static boolean inSystemPlace(String canonical) {
        if (canonical == null) {
            return false;
        }
        String jdk = jdkHome();
        if (!jdk.isEmpty() && canonical.startsWith(jdk + "/")) {
            return true;
        }
        int slash = canonical.lastIndexOf('/');
        return slash > 0 && SYSTEM_DIRS.contains(canonical.substring(0, slash));
    }

    /** The running JDK's own directory, real path; "" when unknown. Not the java.home property. */
    public static String jdkHome() {
        String home = jdkHome;
        if (home == null) {
            String exe = realPath("/proc/self/exe");
            Path bin = exe == null ? null : Path.of(exe).getParent();
            home = bin == null || bin.getParent() == null || !bin.getFileName().toString().equals("bin") ? ""
                    : bin.getParent().toString();
            jdkHome = home;
        }
        return home;
    }

    /** The real path of an existing file, or null (missing, not a path, unreadable). */
    static String realPath(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | SecurityException | InvalidPathException e) {
            return null;
        }
    }
}
