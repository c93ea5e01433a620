package dev.profguard.it.app;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code UnloadApp LIBRARY CLASSES}: loads LIBRARY (through the gate) from a class loader of its
 * own over CLASSES, creates the file LATE_DLOPEN_TRIGGER names, waits for a capture file
 * (*.MTuner) in its working directory, then drops that class loader until the JDK has unloaded
 * LIBRARY, and returns: nothing of LIBRARY, nor of what it loaded, is left but files.
 */
public final class UnloadApp {
    private UnloadApp() {
    }

    private static boolean mapped(String name) throws java.io.IOException {
        return Files.readString(Path.of("/proc/self/maps")).contains(name);
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        URLClassLoader loader = new URLClassLoader(new URL[] {new File(args[1]).toURI().toURL()}, null);
        loader.loadClass(Plug.class.getName()).getMethod("load", String.class).invoke(null, args[0]);
        Files.createFile(Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
        File[] captures = new File[0];
        for (int i = 0; i < 1000 && captures.length == 0; i++) {
            Thread.sleep(10);
            File[] found = new File(".").listFiles((dir, name) -> name.endsWith(".MTuner"));
            captures = found == null ? captures : found;
        }
        Thread.sleep(200); // the native thread returns
        loader.close();
        loader = null;
        String name = Path.of(args[0]).getFileName().toString();
        for (int i = 0; i < 400 && mapped(name); i++) {
            System.gc();
            Thread.sleep(5);
        }
        System.out.println("UNLOADED " + !mapped(name));
    }
}
