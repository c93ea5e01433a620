package dev.profguard.detect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where the JDK's and the operating system's own libraries live. */
public final class Locations {
    /**
     * The system's library directories themselves, not their subdirectories: a vendor's
     * {@code /usr/lib/myapp/} is not the system's.
     */
    private static final List<String> SYSTEM_DIRS = List.of("/lib", "/lib32", "/lib64", "/usr/lib", "/usr/lib32",
            "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu");

    private static volatile String jdkHome;
    private static final int MAX_MAPS = 32 << 20;

    private Locations() {
    }

    /**
     * Whether {@code path} is one of the running JDK's or the system's own libraries, whose
     * content is not searched for marks: they are large (libjvm.so: 24 MB), and a client installed
     * there is a compromised host, not a stray profiler. Their symbols are still checked. Only an
     * existing file, by its real path (links and {@code ..} resolved), directly in one of the
     * system's library directories or under the running JDK's own directory, counts, and only when
     * both the file and its directory are root's alone (owned by root, writable by no one else):
     * a name that does not resolve (a deleted file, a memfd named {@code x/../../usr/lib/libz.so})
     * never does, nor does a copy of a JDK that its user can write to, nor a name whose real path is
     * another file. The native probe's first look decides the same way (start_scan.c).
     */
    public static boolean isSystem(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        String real = realPath(path);
        if (real == null || !sameFile(path, real)) {
            return false;
        }
        int slash = real.lastIndexOf('/');
        String jdk = jdkHome();
        boolean placed = (!jdk.isEmpty() && real.startsWith(jdk + "/")) || (slash > 0 && SYSTEM_DIRS.contains(real.substring(0, slash)));
        return placed && rootOnly(Path.of(real)) && rootOnly(Path.of(real.substring(0, slash)));
    }

    /**
     * The running JDK's own directory, real path; "" when unknown or not root's alone. Three levels
     * above the loaded libjvm.so (HOME/lib/VARIANT/libjvm.so, from /proc/self/maps): not the
     * {@code java.home} property, which a command line can set, nor the launcher's place, since a
     * copied launcher beside links into a JDK would make any directory "the JDK" (red team).
     */
    public static String jdkHome() {
        String home = jdkHome;
        if (home == null) {
            home = "";
            String jvm = mappedLibjvm();
            String real = jvm == null ? null : realPath(jvm);
            Path lib = real == null ? null : Path.of(real).getParent() == null ? null : Path.of(real).getParent().getParent();
            if (lib != null && lib.getFileName() != null && lib.getFileName().toString().equals("lib")
                    && lib.getParent() != null && rootOnly(lib.getParent())) {
                home = lib.getParent().toString();
            }
            jdkHome = home;
        }
        return home;
    }

    /** The path of the libjvm.so mapped into this process, from /proc/self/maps; null when not found. */
    private static String mappedLibjvm() {
        byte[] maps;
        try {
            maps = BoundedFiles.read(Path.of("/proc/self/maps"), MAX_MAPS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        String text = new String(maps, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("/libjvm.so\n");
        if (at < 0) {
            return null;
        }
        int start = text.lastIndexOf(' ', at) + 1;
        String path = text.substring(start, at + "/libjvm.so".length());
        return path.startsWith("/") ? new String(path.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                java.nio.charset.StandardCharsets.UTF_8) : null;
    }

    /** Whether only root can have put this file or directory there: owned by root, writable by no one else. */
    static boolean rootOnly(Path path) {
        try {
            Map<String, Object> unix = Files.readAttributes(path, "unix:uid,mode");
            int mode = (Integer) unix.get("mode");
            return ((Integer) unix.get("uid")) == 0 && (mode & 0022) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether the name and its real path are one file (device and inode, links followed): through
     * another mount namespace ({@code /proc/PID/root/usr/lib/...}) a name reads back as a path that
     * is another file here, the system's own (red team round 13). The probe's first look checks its
     * directories so (start_scan.c).
     */
    static boolean sameFile(String path, String real) {
        try {
            return Files.isSameFile(Path.of(path), Path.of(real));
        } catch (IOException | SecurityException | InvalidPathException e) {
            return false;
        }
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
