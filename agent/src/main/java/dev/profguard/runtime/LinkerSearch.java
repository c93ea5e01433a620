package dev.profguard.runtime;

import dev.profguard.config.Config;
import dev.profguard.detect.BoundedFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files dlopen might load for a name without a slash, as glibc's dynamic linker searches
 * (glibc 2.36, dlopen(3) and ld.so(8)): the caller's DT_RPATH chain (libjvm.so calls dlopen for the
 * JDK; its RPATH is $ORIGIN:$ORIGIN/../lib, libjli's $ORIGIN), LD_LIBRARY_PATH as it was when the
 * process started (the linker reads it once; /proc/self/environ, not System.getenv), the caller's
 * DT_RUNPATH (none in the JDKs read), /etc/ld.so.cache, then the default directories; each
 * directory also with its glibc-hwcaps and legacy hwcap subdirectories.
 *
 * <p>It returns every existing candidate, not only the first: the gate judges all of them, so an
 * error in the order here cannot let a client through; what dlopen actually mapped is compared
 * with what was judged right after the load.
 */
final class LinkerSearch {
    private static final List<String> SUBDIRECTORIES = List.of("glibc-hwcaps/x86-64-v4/", "glibc-hwcaps/x86-64-v3/",
            "glibc-hwcaps/x86-64-v2/", "glibc-hwcaps/power10/", "glibc-hwcaps/power9/", "tls/x86_64/", "tls/",
            "x86_64/", "haswell/x86_64/", "haswell/", "");
    private static final List<String> DEFAULT_DIRECTORIES = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");

    private LinkerSearch() {
    }

    /** Existing regular files dlopen(name) might map, in search order, without duplicates. */
    static List<Path> candidates(String name) {
        Set<Path> found = new LinkedHashSet<>();
        String javaHome = Config.jvmProperty("java.home", "");
        for (String dir : directories(javaHome, startupVariable("LD_LIBRARY_PATH"))) {
            for (String sub : SUBDIRECTORIES) {
                add(found, Path.of(dir.isEmpty() ? "." : dir, sub + name));
            }
        }
        try {
            byte[] cache = BoundedFiles.read(Path.of("/etc/ld.so.cache"), LdSoCache.LIMIT);
            for (String path : LdSoCache.lookup(cache, Math.min(cache.length, LdSoCache.LIMIT), name)) {
                add(found, Path.of(path));
            }
        } catch (IOException | RuntimeException e) {
            // no cache: the linker then searches the default directories alone, as below
        }
        for (String dir : DEFAULT_DIRECTORIES) {
            for (String sub : SUBDIRECTORIES) {
                add(found, Path.of(dir, sub + name));
            }
        }
        return new ArrayList<>(found);
    }

    /** RPATH chain of the JDK's dlopen caller, then LD_LIBRARY_PATH (an empty element is the working directory). */
    static List<String> directories(String javaHome, String libraryPath) {
        List<String> dirs = new ArrayList<>();
        if (!javaHome.isEmpty()) {
            dirs.add(javaHome + "/lib/server");
            dirs.add(javaHome + "/lib/server/../lib");
            dirs.add(javaHome + "/lib");
        }
        if (libraryPath != null) {
            String origin = executableDirectory();
            for (String element : libraryPath.split("[:;]", -1)) {
                dirs.add(element.replace("${ORIGIN}", origin).replace("$ORIGIN", origin));
            }
        }
        return dirs;
    }

    private static String executableDirectory() {
        try {
            Path parent = Files.readSymbolicLink(Path.of("/proc/self/exe")).getParent();
            return parent == null ? "/" : parent.toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void add(Set<Path> found, Path candidate) {
        if (Files.isRegularFile(candidate)) { // follows links, as the linker's open does
            found.add(candidate.normalize());
        }
    }

    /** A variable as the process was started with it (/proc/self/environ), or null. */
    static String startupVariable(String name) {
        try {
            byte[] environ = BoundedFiles.read(Path.of("/proc/self/environ"), 1 << 20);
            return variable(environ, Math.min(environ.length, 1 << 20), name);
        } catch (IOException | RuntimeException e) {
            return System.getenv(name); // the same at start unless something called setenv
        }
    }

    /** NAME=value among NUL-separated entries; the first wins, as in glibc's getenv. */
    static String variable(byte[] environ, int length, String name) {
        byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || environ[i] == 0) {
                if (i - start >= prefix.length && matches(environ, start, prefix)) {
                    return new String(environ, start + prefix.length, i - start - prefix.length, StandardCharsets.UTF_8);
                }
                start = i + 1;
            }
        }
        return null;
    }

    private static boolean matches(byte[] bytes, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

}
