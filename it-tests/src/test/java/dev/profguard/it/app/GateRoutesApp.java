package dev.profguard.it.app;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

/**
 * Ways around a load gate that resolves names itself, in plain Java. Prints one line per load:
 * LOADED, or REFUSED and the error's message; then DONE.
 * <ul>
 * <li>{@code property DIR NAME}: set java.library.path to DIR at run time, then loadLibrary(NAME);</li>
 * <li>{@code loadLibrary NAME}: loadLibrary(NAME) as the JVM was started (e.g. an empty element);</li>
 * <li>{@code findLibrary PATH NAME}: a class loader whose findLibrary returns PATH loads NAME;</li>
 * <li>{@code symlink LINK BENIGN CLIENT}: LINK points to BENIGN, loader A loads it, LINK is
 *     pointed at CLIENT, loader B loads it;</li>
 * <li>{@code chain NAME DIR BENIGN CLIENT inplace|rename}: DIR/lib NAME.so is BENIGN (padded to
 *     CLIENT's size), loader A loads it by loadLibrary, A is dropped and collected until the JDK
 *     has unloaded it, the file becomes CLIENT (rewritten in place with its old modification time,
 *     or renamed over it), java.library.path is changed, loader B loads NAME;</li>
 * <li>{@code swap-race DIR BENIGN CLIENT ROUNDS}: per round a new file DIR/libswap-N.so, swapped
 *     between BENIGN and CLIENT by another thread as fast as it can while System.load loads it.</li>
 * </ul>
 */
public final class GateRoutesApp {
    private GateRoutesApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        switch (args[0]) {
            case "property" -> {
                System.setProperty("java.library.path", args[1]);
                attempt(() -> System.loadLibrary(args[2]));
            }
            case "loadLibrary" -> attempt(() -> System.loadLibrary(args[1]));
            case "findLibrary" -> attempt(() -> loadIn(new Loader(args[1]), args[2]));
            case "symlink" -> symlink(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
            case "chain" -> chain(args[1], Path.of(args[2]), Path.of(args[3]), Path.of(args[4]), args[5].equals("inplace"));
            case "swap-race" -> swapRace(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.println("DONE");
    }

    private interface Load {
        void run() throws Exception;
    }

    private static void attempt(Load load) throws Exception {
        try {
            load.run();
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }

    /** Calls System.loadLibrary(name) from a class that {@code loader} defined itself. */
    private static void loadIn(ClassLoader loader, String name) throws Exception {
        Class<?> loading = Class.forName(Loading.class.getName(), true, loader);
        try {
            loading.getMethod("loadLibrary", String.class).invoke(null, name);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof UnsatisfiedLinkError refused) {
                throw refused;
            }
            throw e;
        }
    }

    private static void symlink(Path link, Path benign, Path client) throws Exception {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, benign);
        Loader a = new Loader(link.toString());
        attempt(() -> loadIn(a, "sym"));
        Files.delete(link);
        Files.createSymbolicLink(link, client);
        attempt(() -> loadIn(new Loader(link.toString()), "sym"));
        System.out.println("A still reachable: " + (a != null));
    }

    private static void chain(String name, Path dir, Path benign, Path client, boolean inPlace) throws Exception {
        byte[] good = Files.readAllBytes(benign);
        byte[] bad = Files.readAllBytes(client);
        int size = Math.max(good.length, bad.length);
        Path file = dir.resolve(System.mapLibraryName(name));
        Files.write(file, Arrays.copyOf(good, size)); // zeros after an ELF file's end change nothing it loads
        FileTime modified = Files.getLastModifiedTime(file);
        WeakReference<ClassLoader> a = firstLoad(name);
        for (int i = 0; i < 200 && (a.get() != null || mapped(file)); i++) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println(mapped(file) ? "STILL-MAPPED" : "UNLOADED");
        if (inPlace) {
            Files.write(file, Arrays.copyOf(bad, size)); // same inode, same size
            Files.setLastModifiedTime(file, modified);   // touch -r
        } else {
            Path next = dir.resolve("next.tmp");
            Files.write(next, Arrays.copyOf(bad, size));
            Files.setLastModifiedTime(next, modified);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.setProperty("java.library.path", "/nonexistent");
        attempt(() -> loadIn(new Loader(null), name));
    }

    private static WeakReference<ClassLoader> firstLoad(String name) throws Exception {
        Loader a = new Loader(null);
        attempt(() -> loadIn(a, name));
        return new WeakReference<>(a);
    }

    private static boolean mapped(Path file) throws IOException {
        return Files.readString(Path.of("/proc/self/maps")).contains(file.toString());
    }

    private static void swapRace(Path dir, Path benign, Path client, int rounds) throws Exception {
        for (int round = 0; round < rounds; round++) {
            Path file = dir.resolve("libswap-" + round + ".so");
            Files.copy(benign, file, StandardCopyOption.REPLACE_EXISTING);
            Path badTmp = dir.resolve("bad.tmp");
            Path goodTmp = dir.resolve("good.tmp");
            Thread swapper = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Files.copy(client, badTmp, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(badTmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        Files.copy(benign, goodTmp, StandardCopyOption.REPLACE_EXISTING);
                        Files.move(goodTmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            swapper.start();
            attempt(() -> System.load(file.toString()));
            swapper.interrupt();
            swapper.join();
        }
    }

    /** Defines {@link Loading} itself; findLibrary returns the path it was given (null: the JDK's paths). */
    static final class Loader extends ClassLoader {
        private final String library;

        Loader(String library) {
            super(GateRoutesApp.class.getClassLoader());
            this.library = library;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(Loading.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> known = findLoadedClass(name);
                if (known != null) {
                    return known;
                }
                try (InputStream in = GateRoutesApp.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }

        @Override
        protected String findLibrary(String name) {
            return library;
        }
    }

    /** Loaded by each {@link Loader} on its own, so that its loadLibrary calls are that loader's. */
    public static final class Loading {
        private Loading() {
        }

        public static void loadLibrary(String name) {
            System.loadLibrary(name);
        }
    }
}
