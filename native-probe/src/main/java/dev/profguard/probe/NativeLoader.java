package dev.profguard.probe;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The one place that loads the probe library: checks the platform, extracts the library from the
 * jar into a fresh private directory (mode 0700 before anything is written in it, random name), checks the CRC-32 of the file as
 * read back from disk against the jar's own record of the entry (its central directory; a corrupt
 * entry and a short or changed write fail alike), loads it without making the JVM print a warning,
 * and removes the file again. A CRC, not a SHA-256: both records would sit in the same jar, so a
 * cryptographic digest protects against nothing the CRC does not, and hashing in interpreted Java
 * cost 3-4 ms of premain and 6-17 ms of JIT work beside it; what stops tampering between the write
 * and the load is the directory only this user can enter. Every failure is a {@link ProbeUnavailableException} with the reason; it never
 * throws anything else. (Netty's NativeLibraryLoader is the model for the extraction.)
 *
 * <p>Its catch clauses name Exception, RuntimeException or LinkageError (classes the JVM has
 * loaded long before) and test for the narrower type inside: each exception class a catch clause
 * names is loaded when this class is verified, before main, whether anything fails or not (six
 * classes from the runtime image here).
 */
public final class NativeLoader {
    static final String RESOURCE_DIR = "/META-INF/native/linux-x86_64/";
    static final String LIBRARY = "libprofguard_probe.so";
    private static final int MAX_LIBRARY = 4 << 20;
    /** This class's name, for the copy {@link #isolatedTrampoline} defines. */
    private static final String TRAMPOLINE = "dev.profguard.probe.NativeLoader";

    private NativeLoader() {
    }

    /** Loads the library from this jar, written first to java.io.tmpdir (see {@link #load(Instrumentation, Path)}). */
    public static Probe load(Instrumentation instrumentation) throws ProbeUnavailableException {
        return load(instrumentation, null);
    }

    /**
     * Loads the library from this jar. It is written to a private directory made in the first of
     * these that works: {@code probeDir} (option probe.dir) when given, java.io.tmpdir,
     * $XDG_RUNTIME_DIR, the working directory. A place that cannot hold a new directory, or where
     * the library cannot be mapped (a noexec mount, usual for /tmp in hardened containers), is
     * passed over for the next; when none works the reason names each place and its cause.
     */
    public static Probe load(Instrumentation instrumentation, Path probeDir) throws ProbeUnavailableException {
        return load(instrumentation, NativeLoader.class, RESOURCE_DIR + LIBRARY, probeDir);
    }

    /**
     * As {@link #load(Instrumentation, Path)}, reading the library from {@code agentJar}: the agent
     * jar this class was defined from, already open (its class loader's), or null to open it here.
     * Opening it again cost a file status, a lookup of the JDK's shared zip sources and a cleaner
     * twice on a clean start (here and for {@link #resource(ZipFile, String, int)}).
     */
    public static Probe load(Instrumentation instrumentation, Path probeDir, ZipFile agentJar) throws ProbeUnavailableException {
        return agentJar == null ? load(instrumentation, probeDir)
                : load(instrumentation, null, agentJar, NativeLoader.class, RESOURCE_DIR + LIBRARY, probeDir);
    }

    static Probe load(Instrumentation instrumentation, Class<?> resourceOwner, String resource)
            throws ProbeUnavailableException {
        return load(instrumentation, resourceOwner, resource, null);
    }

    static Probe load(Instrumentation instrumentation, Class<?> resourceOwner, String resource, Path probeDir)
            throws ProbeUnavailableException {
        return load(instrumentation, jarOf(resourceOwner), null, resourceOwner, resource, probeDir);
    }

    /**
     * @param jar the jar that holds the resource, or null for the owner's class path (a directory)
     * @param openJar that jar already open, or null
     */
    static Probe load(Instrumentation instrumentation, File jar, ZipFile openJar, Class<?> resourceOwner, String resource,
                      Path probeDir) throws ProbeUnavailableException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw ProbeUnavailableException.raise("no native probe for " + os + "/" + arch + " (only linux-x86_64)");
        }
        long[] crc = {-1};
        byte[] library = read(jar, openJar, resourceOwner, resource, MAX_LIBRARY, crc);
        if (crc[0] < 0) { // classes in a directory (the build's own tests): the record the build wrote
            crc[0] = parseCrc(read(jar, openJar, resourceOwner, resource + ".crc32", 16, null));
        }
        long expected = crc[0];
        String[] places = {probeDir == null ? null : probeDir.toString(), System.getProperty("java.io.tmpdir"),
                null, System.getProperty("user.dir")};
        String[] names = {"probe.dir", "java.io.tmpdir", "XDG_RUNTIME_DIR", "the working directory"};
        StringBuilder passed = null;
        boolean loaded = false;
        for (int i = 0; i < places.length && !loaded; i++) {
            if (i == 2) {
                // read only when the places before it failed: System.getenv decodes the whole
                // environment, which a start that loads from java.io.tmpdir never needs
                places[i] = System.getenv("XDG_RUNTIME_DIR");
            }
            if (places[i] == null || places[i].isEmpty() || seenBefore(places, i)) {
                continue;
            }
            String problem = loadFrom(instrumentation, Path.of(places[i]), library, expected);
            if (problem == null) {
                loaded = true;
            } else {
                passed = (passed == null ? new StringBuilder() : passed.append("; ")).append(places[i]).append(" (")
                        .append(names[i]).append(") ").append(problem);
            }
        }
        if (!loaded) {
            throw ProbeUnavailableException.raise("could not load the probe library from any place tried: " + passed
                    + ". Set probe.dir to a directory this JVM can write to on a mount without noexec "
                    + "(e.g. a volume of its own)");
        }
        int abi = Probe.abiVersion0();
        if (abi != Probe.ABI_VERSION) {
            throw ProbeUnavailableException.raise("the probe library speaks ABI " + abi + ", expected " + Probe.ABI_VERSION);
        }
        return new Probe();
    }

    /**
     * Writes, checks and loads the library in a new private directory in {@code place}, then
     * removes it. Returns null when loaded, else why this place would not do: it cannot hold the
     * directory, or it is a noexec mount. Any other failure is thrown.
     */
    private static String loadFrom(Instrumentation instrumentation, Path place, byte[] library, long expected)
            throws ProbeUnavailableException {
        Path dir;
        try {
            dir = privateDirectory(place);
        } catch (Exception e) { // IOException or a RuntimeException (not named: see the class comment)
            return "cannot hold a new directory: " + e.getMessage();
        }
        Path file = dir.resolve(LIBRARY);
        try {
            // java.io streams, not Files.write/readAllBytes: NIO's channels are ~25 classes more
            // to load before main. The directory is ours alone (0700), so nobody else can have
            // put anything at this name.
            try (OutputStream out = new FileOutputStream(file.toFile())) {
                out.write(library);
            }
            // Check what will be mapped, read back from disk: a corrupt jar entry and a file
            // changed on disk fail alike, before anything is loaded.
            byte[] written;
            try (InputStream in = new FileInputStream(file.toFile())) {
                written = in.readNBytes(MAX_LIBRARY + 1);
            }
            CRC32 check = new CRC32();
            check.update(written, 0, written.length);
            if (check.getValue() != expected) {
                throw ProbeUnavailableException.raise("the probe library in the agent jar is corrupt (CRC-32 "
                        + Long.toHexString(check.getValue()) + ", expected " + Long.toHexString(expected) + ")");
            }
            try {
                loadWithoutWarning(instrumentation, file.toFile());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) { // a ProbeUnavailableException, not named: see its raise
                // Whatever the JDK's message (JDK 25's route reports it differently), a noexec
                // mount is the cause to name: the library could not be mapped executable there.
                String mount = noexecMount(dir);
                if (mount != null) {
                    return "is on a noexec mount (" + mount + "): the library cannot be mapped executable there";
                }
                throw e;
            }
            return null;
        } catch (Exception e) {
            if (e instanceof ProbeUnavailableException) {
                throw ProbeUnavailableException.raise(e);
            }
            String mount = noexecMount(dir);
            if (mount != null) {
                return "is on a noexec mount (" + mount + ")";
            }
            throw ProbeUnavailableException.raise("could not extract the probe library: " + e);
        } finally {
            deleteQuietly(file);
            deleteQuietly(dir);
        }
    }

    /**
     * A resource of the agent's own jar (or class directory), at most {@code limit} bytes, read as
     * the library is: through java.util.zip on the jar the JVM already has open.
     */
    public static byte[] resource(String resource, int limit) throws ProbeUnavailableException {
        return read(jarOf(NativeLoader.class), null, NativeLoader.class, resource, limit, null);
    }

    /** As {@link #resource(String, int)}, from the agent jar already open ({@code agentJar}; null: opened here). */
    public static byte[] resource(ZipFile agentJar, String resource, int limit) throws ProbeUnavailableException {
        return agentJar == null ? resource(resource, limit) : read(null, agentJar, NativeLoader.class, resource, limit, null);
    }

    private static boolean seenBefore(String[] places, int index) {
        for (int i = 0; i < index; i++) {
            if (places[index].equals(places[i])) {
                return true;
            }
        }
        return false;
    }

    /**
     * The mount point holding {@code path} when that mount is noexec, else null: from
     * /proc/self/mountinfo (proc(5)), the longest mount point that contains the path, the last
     * one mounted there winning. Read only after a load failed.
     */
    static String noexecMount(Path path) {
        String target;
        try {
            target = path.toRealPath().toString();
        } catch (Exception e) {
            target = path.toAbsolutePath().normalize().toString();
        }
        String best = null;
        boolean noexec = false;
        try (InputStream in = new FileInputStream("/proc/self/mountinfo")) {
            String text = new String(in.readNBytes(4 << 20), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                String[] fields = line.split(" ");
                if (fields.length < 6) {
                    continue;
                }
                String point = unescape(fields[4]);
                boolean contains = point.equals("/") || target.equals(point) || target.startsWith(point + "/");
                if (contains && (best == null || point.length() >= best.length())) {
                    best = point;
                    noexec = ("," + fields[5] + ",").contains(",noexec,");
                }
            }
        } catch (Exception e) {
            return null;
        }
        return noexec ? best : null;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (RuntimeException e) { // NumberFormatException
                    // not an escape: keep the backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * Before JDK 24, {@code System.load}. From JDK 24 on, through {@link #trampoline}: called
     * directly when this class is in the agent's own class loader, else on a copy of this class
     * defined in a loader of its own, so that java.lang is never opened to the application's module; when that route is closed (a future JDK), {@code System.load} if this
     * module has native access (--enable-native-access), else the probe is not loaded.
     */
    private static void loadWithoutWarning(Instrumentation instrumentation, File library)
            throws ProbeUnavailableException {
        if (Runtime.version().feature() < 24) {
            // No JEP 472 check before JDK 24: System.load is silent, and cheaper (no module edit).
            loadPlainly(library);
            return;
        }
        String internalFailure;
        try {
            if (NativeLoader.class.getModule() != ClassLoader.getSystemClassLoader().getUnnamedModule()) {
                // The agent's own loader (dev.profguard.Agent): its module holds no application
                // code, so java.lang is opened to it and no loader of the trampoline's own is needed.
                openJavaLang(instrumentation, NativeLoader.class.getModule());
                try {
                    trampoline(Probe.class, library);
                } catch (LinkageError e) {
                    if (!(e instanceof UnsatisfiedLinkError)) {
                        throw e;
                    }
                    throw ProbeUnavailableException.raise("could not load the probe library: " + e.getMessage());
                }
                return;
            }
            Class<?> trampoline = isolatedTrampoline();
            openJavaLang(instrumentation, trampoline.getModule());
            trampoline.getMethod("trampoline", Class.class, File.class).invoke(null, Probe.class, library);
            return;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (e instanceof InvocationTargetException) {
                internalFailure = String.valueOf(e.getCause());
                if (e.getCause() instanceof UnsatisfiedLinkError) {
                    throw ProbeUnavailableException.raise("could not load the probe library: " + e.getCause().getMessage());
                }
            } else {
                internalFailure = String.valueOf(e);
            }
        }
        if (nativeAccessEnabled()) {
            loadPlainly(library);
            return;
        }
        throw ProbeUnavailableException.raise("this JDK closes the warning-free route to load the probe ("
                + internalFailure + ") and the agent has no native access; run the JVM with "
                + "--enable-native-access=ALL-UNNAMED to use the probe");
    }

    /**
     * Loads the library through {@code ClassLoader.loadLibrary(Class, File)}, the JDK's own path
     * behind {@code System.load} minus its JEP 472 caller check (which would print a warning on JDK
     * 24+ and throw under {@code --illegal-native-access=deny}). {@code java.lang} is opened only to
     * a module that holds no application code: the agent's own class loader's (dev.profguard.Agent),
     * where {@link #loadWithoutWarning} calls this directly, or else a class loader of its own in
     * which this class is defined anew ({@link #isolatedTrampoline}). Here rather than in a class of
     * its own: one class less to load before main on JDK 24+ (issue #16).
     *
     * <p>Through a method handle of a private lookup in java.lang, not {@code Method.invoke}: on JDK
     * 18+ reflection spins method-handle classes for the call (three LambdaForms, about 2 ms of
     * premain on JDK 25 measured here), where a handle of this shape is served from the JDK's
     * archived forms.
     */
    public static void trampoline(Class<?> fromClass, File library) throws ReflectiveOperationException {
        MethodType type = MethodType.methodType(Class.forName("jdk.internal.loader.NativeLibrary", false, null), Class.class,
                File.class);
        MethodHandle loadLibrary = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup())
                .findStatic(ClassLoader.class, "loadLibrary", type);
        Object loaded;
        try {
            loaded = loadLibrary.invoke(fromClass, library);
        } catch (RuntimeException | Error e) {
            throw e; // UnsatisfiedLinkError among them: the library could not be loaded
        } catch (Throwable t) { // it declares none; not InvocationTargetException, which the verifier would load before main
            throw new ReflectiveOperationException("ClassLoader.loadLibrary threw " + t, t);
        }
        if (loaded == null) {
            throw new UnsatisfiedLinkError("could not load " + library);
        }
    }

    private static void openJavaLang(Instrumentation instrumentation, Module to) {
        instrumentation.redefineModule(Object.class.getModule(), Set.of(), Map.of(), Map.of("java.lang", Set.of(to)),
                Set.of(), Map.of());
    }

    /**
     * A new directory in {@code tmp}, ours alone, with 128 random bits in its name from
     * /dev/urandom: made with File.mkdir (mode 0777 less the umask), then closed to all but its
     * owner (chmod, through File's setters) and found empty. Under a permissive umask others could
     * create an entry in it in the moment before the chmod (never after: creating an entry needs
     * write access at that time); any entry there and another name is drawn, the directory left to
     * whoever was quicker. Not Files.createDirectory with a PosixFilePermissions attribute (0700
     * from its creation): that loaded seven classes from the runtime image, about 0.5 ms of premain
     * (issue #16). Not Files.createTempDirectory: its SecureRandom initialises the security
     * providers, tens of milliseconds on the path to main.
     */
    public static Path privateDirectory(Path tmp) throws IOException {
        File parent = tmp.toFile();
        byte[] random = new byte[16];
        for (int attempt = 0; attempt < 8; attempt++) {
            try (InputStream urandom = new java.io.FileInputStream("/dev/urandom")) {
                if (urandom.readNBytes(random, 0, random.length) != random.length) {
                    throw new IOException("short read from /dev/urandom");
                }
            }
            StringBuilder name = new StringBuilder("profguard-");
            for (byte b : random) {
                name.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            File dir = new File(parent, name.toString());
            if (!dir.mkdir()) {
                if (!parent.isDirectory()) {
                    throw new IOException(tmp + ": no such directory");
                }
                if (!dir.exists()) {
                    throw new IOException(tmp + ": cannot create a directory there (permission denied or a read-only file system)");
                }
                continue; // someone holds that name: draw another
            }
            boolean closed = dir.setReadable(false, false) && dir.setWritable(false, false) && dir.setExecutable(false, false)
                    && dir.setReadable(true, true) && dir.setWritable(true, true) && dir.setExecutable(true, true);
            String[] entries = closed ? dir.list() : null;
            if (entries != null && entries.length == 0) {
                return dir.toPath();
            }
            if (!closed) {
                dir.delete();
                throw new IOException(dir + ": could not make it private (chmod 0700)");
            }
            // someone put an entry in it before the chmod: leave it to them, draw another name
        }
        throw new IOException("could not create a private directory in " + tmp);
    }

    private static void loadPlainly(File library) throws ProbeUnavailableException {
        try {
            System.load(library.getPath());
        } catch (RuntimeException | LinkageError e) { // UnsatisfiedLinkError, SecurityException
            throw ProbeUnavailableException.raise("could not load the probe library: " + e.getMessage());
        }
    }

    /**
     * This class defined anew by a class loader of its own (its own unnamed module), for its
     * {@link #trampoline} alone: nothing else of the copy runs, and nothing but the caller holds it.
     */
    private static Class<?> isolatedTrampoline() throws ProbeUnavailableException, ClassNotFoundException {
        byte[] bytes = read(jarOf(NativeLoader.class), null, NativeLoader.class, "NativeLoader.class", 64 * 1024, null);
        // var: typed as the anonymous class itself, so verifying this method does not load it
        var isolated = new ClassLoader("profguard-probe-loader", NativeLoader.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals(TRAMPOLINE)) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }

            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(TRAMPOLINE)) {
                    synchronized (getClassLoadingLock(name)) {
                        Class<?> loaded = findLoadedClass(name);
                        return loaded != null ? loaded : findClass(name);
                    }
                }
                return super.loadClass(name, resolve);
            }
        };
        return isolated.loadClass(TRAMPOLINE);
    }

    /** Module.isNativeAccessEnabled() on JDK 22+, by reflection: the agent is Java 17 bytecode. */
    private static boolean nativeAccessEnabled() {
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(NativeLoader.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The build's record "crc32 hex" of the library, for classes in a directory. */
    private static long parseCrc(byte[] text) throws ProbeUnavailableException {
        try {
            return Long.parseLong(new String(text, StandardCharsets.US_ASCII).strip(), 16);
        } catch (RuntimeException e) { // NumberFormatException
            throw ProbeUnavailableException.raise("the probe library's CRC-32 record is not a number");
        }
    }

    /**
     * A resource of {@code jar}, or (null) of the directory that holds {@code owner}, at most {@code limit} bytes.
     * From a jar, through java.util.zip directly: the JVM already has that jar open, so this
     * reuses its parsed directory, where getResourceAsStream builds a jar: URL and a
     * JarURLConnection (a dozen classes more on the path to main, ~3 ms measured here).
     *
     * @param crc when not null and the resource is a jar entry, receives the entry's CRC-32 as
     *            the jar's central directory records it (else it is left as it is)
     */
    private static byte[] read(File jar, ZipFile openJar, Class<?> owner, String resource, int limit, long[] crc)
            throws ProbeUnavailableException {
        long[] size = {-1};
        ZipFile opened = null; // opened here, closed here: never the open jar given
        try (InputStream in = openJar != null ? entry(openJar, resource, owner, crc, size)
                : jar == null ? owner.getResourceAsStream(resource)
                : entry(opened = new ZipFile(jar), resource, owner, crc, size)) {
            if (in == null) {
                throw ProbeUnavailableException.raise("the agent jar has no " + resource);
            }
            if (size[0] > limit) {
                throw ProbeUnavailableException.raise(resource + " is larger than " + limit + " bytes");
            }
            if (size[0] >= 0) {
                // its size from the jar's directory: read straight into one array (readNBytes(max)
                // reads 8 KiB pieces and copies them together, interpreted before main)
                byte[] bytes = new byte[(int) size[0]];
                if (in.readNBytes(bytes, 0, bytes.length) != bytes.length || in.read() != -1) {
                    throw ProbeUnavailableException.raise("could not read " + resource + " from the agent jar: "
                            + "not the size its directory records");
                }
                return bytes;
            }
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw ProbeUnavailableException.raise(resource + " is larger than " + limit + " bytes");
            }
            return bytes;
        } catch (Exception e) {
            if (e instanceof ProbeUnavailableException) {
                throw ProbeUnavailableException.raise(e);
            }
            throw ProbeUnavailableException.raise("could not read " + resource + " from the agent jar: " + e);
        } finally {
            if (opened != null) {
                try {
                    opened.close();
                } catch (Exception e) { // IOException: nothing was left to read from it
                    // a read-only handle: nothing to lose
                }
            }
        }
    }

    /**
     * The entry for a resource name as Class.getResourceAsStream takes it ("/a/b" or relative to
     * owner's package); size[0] receives its size as the jar's directory records it (-1: unknown).
     */
    private static InputStream entry(ZipFile zip, String resource, Class<?> owner, long[] crc, long[] size)
            throws IOException {
        String name = resource.startsWith("/") ? resource.substring(1)
                : owner.getPackageName().replace('.', '/') + "/" + resource;
        ZipEntry entry = zip.getEntry(name);
        if (entry != null && crc != null) {
            crc[0] = entry.getCrc();
        }
        if (entry != null) {
            size[0] = entry.getSize();
        }
        return entry == null ? null : zip.getInputStream(entry);
    }

    /** The jar file a class was loaded from, or null (a directory, or not known). */
    private static File jarOf(Class<?> owner) {
        try {
            CodeSource source = owner.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
                return null;
            }
            // as dev.profguard.Agent.fileOf: no URI parsed before main when nothing is escaped
            String path = source.getLocation().getPath();
            File file = path.indexOf('%') < 0 && source.getLocation().getQuery() == null && source.getLocation().getRef() == null
                    ? new File(path) : new File(source.getLocation().toURI());
            return file.isFile() ? file : null;
        } catch (Exception e) { // URISyntaxException or a RuntimeException
            return null; // getResourceAsStream then
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (Exception e) {
                // A left-over private file in the temp directory; nothing else depends on it.
            }
        }
    }
}
