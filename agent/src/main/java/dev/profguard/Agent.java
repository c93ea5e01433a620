package dev.profguard;

import java.io.File;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The {@code -javaagent} entry points (and {@code java -jar}'s), and the class loader of the
 * agent's own classes: every class of the agent under {@code dev.profguard.} but this one is
 * defined by an instance of this class, from the packs the build wrote into the jar
 * ({@code dev.profguard.StartClasses}). The jar keeps this class as its one class entry, so the
 * application's class loader (which has the jar on its class path, as every agent's) loads only
 * it and finds none of the others. The work is in {@link Guard}.
 *
 * <p>Why a loader of its own:
 * <ul>
 * <li>Start-up cost. The JVM's application class loader reads the whole directory of every agent
 *     jar before premain, interpreted: 2.7 ms (JDK 17) and 3.9 ms (JDK 25) for the ~1,070
 *     entries of a jar with a class per entry, against about 0.4 ms for the ~25 of this one. It
 *     also finds each class through its class path, with a code source, a package and manifest
 *     check per class: about 175 µs a class measured here. This loader defines the classes a clean
 *     start loads before main from one stored resource, read at once (3.3-3.9 ms of premain for
 *     22 classes measured before, 0.35-0.6 ms for the one read), and any other class from the pack
 *     of all classes, skipping to its compressed bytes.</li>
 * <li>Isolation. The agent's classes and their state (the gate's hook, the watcher, the options)
 *     are not the application's: the application's loader cannot find them, and a
 *     {@code dev.profguard} class the application names is its own, never the running guard. What
 *     the agent opens in java.base it opens to this loader's module, not to the application's.</li>
 * </ul>
 * Classes of the JDK come from the application's loader's parents, as for any class.
 */
public final class Agent extends ClassLoader {
    private static final String OWN = "dev.profguard.";
    private static final int MAX_CLASS = 4 << 20;

    /** The build's pack of the classes a clean start loads before main (dev.profguard.StartClasses). */
    private static final String START_CLASSES = "META-INF/profguard/start-classes.bin";
    /** The build's pack of every class but this one, each compressed on its own (dev.profguard.StartClasses). */
    private static final String ALL_CLASSES = "META-INF/profguard/classes.bin";
    /** At most this many bytes of index in {@value #ALL_CLASSES}. */
    private static final int MAX_INDEX = 1 << 20;
    /** Exit status when the agent jar is damaged: as a malformed option, the guard will not run half-made. */
    private static final int DAMAGED = 64;

    static {
        registerAsParallelCapable();
    }

    /**
     * The agent given twice (command line and JAVA_TOOL_OPTIONS) runs once: one class, one flag.
     * A plain lock rather than AtomicBoolean, whose VarHandle machinery costs start-up time.
     */
    private static boolean started;
    /** {@link #damaged} was said. */
    private static boolean damagedSaid;

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
     * The guard in a class loader of its own (an instance of this class) when this class comes from
     * a jar, else (classes in a directory: the build's own tests) in this class's loader. When the
     * loader cannot start from the pack of start classes, it starts from the pack of all classes,
     * and says so; when neither can, the agent jar is damaged: one ERROR line and exit status 64,
     * never a JVM that runs on believing it is guarded.
     */
    private static void start(String args, Instrumentation instrumentation, boolean atStartup) {
        File jar = jarOfThisClass();
        if (jar == null) {
            Guard.start(args, instrumentation, atStartup);
            return;
        }
        String[] problem = new String[1];
        Agent loader = prepared(jar, true, problem);
        if (loader == null) {
            String first = problem[0];
            loader = prepared(jar, false, problem);
            if (loader == null) {
                damaged(" " + jar, problem[0], true);
                return;
            }
            // never silent: the guard runs, a little slower to start
            System.err.println("profguard: WARN the agent's own class loader could not start from its start classes ("
                    + first + "): the guard runs from the jar's full class pack instead. Reinstall the agent jar.");
        }
        try {
            loader.entry.accept(new Object[]{args, instrumentation, atStartup});
        } finally {
            loader.releaseStartClasses();
        }
    }

    /**
     * Keeps the pack of start classes of {@code ownClass}'s loader past premain: the watcher's
     * thread, started in premain, loads its class after premain may have returned. Without this
     * it came from the pack of all classes, whose index and check cost that thread milliseconds
     * beside main. {@link #startClassesLoaded} releases it.
     */
    public static void holdStartClasses(Class<?> ownClass) {
        if (ownClass.getClassLoader() instanceof Agent) {
            Agent loader = (Agent) ownClass.getClassLoader();
            synchronized (loader) {
                loader.startHolders++;
            }
        }
    }

    /**
     * The agent jar that {@code ownClass}'s loader reads its classes from, open (it stays open
     * with the loader), or null when that loader is not an Agent (classes in a directory). For
     * the probe's library and the start-up rules, read from it rather than from a second handle.
     */
    public static ZipFile ownJar(Class<?> ownClass) {
        return ownClass.getClassLoader() instanceof Agent ? ((Agent) ownClass.getClassLoader()).jar : null;
    }

    /** A holder's classes are loaded: the pack of start classes is released when premain and every holder are done. */
    public static void startClassesLoaded(Class<?> ownClass) {
        if (ownClass.getClassLoader() instanceof Agent) {
            ((Agent) ownClass.getClassLoader()).releaseStartClasses();
        }
    }

    private synchronized void releaseStartClasses() {
        if (--startHolders <= 0) {
            startClasses = null;
        }
    }

    /**
     * Whether {@code failure} (or a cause of it) is a class of the agent that could not be defined:
     * its jar changed or damaged after it was checked at start. Such a failure is never let pass
     * as if the guard had judged: the start ends with {@link #damaged}, the gate refuses.
     */
    public static boolean ownClassFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            boolean definition = t instanceof LinkageError && !(t instanceof UnsatisfiedLinkError) || t instanceof ClassNotFoundException;
            if (definition && message != null
                    && (message.contains("dev/profguard/") || message.contains("dev.profguard."))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A class of the agent that its jar cannot give (see {@link #ownClassFailure}): one ERROR line,
     * and with {@code endJvm} (a start, or a production JVM the guard can no longer judge) exit
     * status {@value #DAMAGED}, never a JVM that runs on as if guarded. Said once: every class
     * after it fails alike.
     */
    public static void damaged(Throwable failure, boolean endJvm) {
        damaged("", String.valueOf(failure), endJvm);
    }

    /** The damaged jar's one line ({@code jarShown}: "" or " PATH"), and with {@code endJvm} exit status 64. */
    private static void damaged(String jarShown, String why, boolean endJvm) {
        synchronized (Agent.class) {
            if (damagedSaid && !endJvm) {
                return;
            }
            damagedSaid = true;
        }
        System.err.println("profguard: ERROR the agent jar" + jarShown + " is damaged (" + why + "): the guard cannot run"
                + (endJvm ? "; exit status " + DAMAGED : "") + ". Reinstall the agent jar.");
        System.err.flush();
        if (endJvm) {
            Runtime.getRuntime().halt(DAMAGED);
        }
    }

    /**
     * {@code java -jar profguard-agent.jar ...}: the command line (dev.profguard.ops.Cli), its
     * classes defined by a loader of this class as the guard's are, since the jar holds them only
     * in its packs.
     */
    public static void main(String[] args) throws Throwable {
        File jar = jarOfThisClass();
        ClassLoader loader = jar == null ? Agent.class.getClassLoader()
                : new Agent(locationOfThisClass(), new ZipFile(jar), Agent.class.getClassLoader(), false);
        Class<?> cli = Class.forName("dev.profguard.ops.Cli", true, loader);
        MethodHandles.publicLookup().findStatic(cli, "main", MethodType.methodType(void.class, String[].class))
                .invokeExact(args);
    }

    /**
     * The jar this class came from, or null. NativeLoader.jarOf does the same for the probe; it is
     * not called from here, since that would load NativeLoader in the application's loader too.
     */
    private static File jarOfThisClass() {
        try {
            URL location = locationOfThisClass();
            if (location == null || !"file".equals(location.getProtocol())) {
                return null;
            }
            File file = fileOf(location);
            return file.isFile() ? file : null;
        } catch (Exception e) { // URISyntaxException: not named, the verifier would load it before main
            return null;
        }
    }

    private static URL locationOfThisClass() {
        CodeSource source = Agent.class.getProtectionDomain().getCodeSource();
        return source == null ? null : source.getLocation();
    }

    /**
     * The file of a file: URL. Its path as it is when nothing in it is escaped (the JDK escapes
     * every character a path may not hold as it is, so then there is nothing to decode), which
     * spares parsing a URI before main (about 0.1 ms); else through the URI.
     */
    static File fileOf(URL location) throws Exception {
        String path = location.getPath();
        return path.indexOf('%') < 0 && location.getQuery() == null && location.getRef() == null ? new File(path)
                : new File(location.toURI());
    }

    private static synchronized boolean firstStart() {
        boolean first = !started;
        started = true;
        return first;
    }

    private final ZipFile jar;
    private final URL location;
    private final ProtectionDomain domain;
    private volatile Consumer<Object[]> entry;
    private Attributes mainAttributes;
    /**
     * {packed class files (byte[]), name to {offset, length} (Map)} while the guard starts, then
     * null: what is not loaded by then comes from the pack of all classes, and the pack's memory is released.
     */
    private volatile Object[] startClasses;
    /** Who still needs the pack of start classes: premain (1 from the start), and each {@link #holdStartClasses}. */
    private int startHolders = 1;

    /**
     * {index (Map name to {offset, deflated length, length}), where the data starts (Integer), the
     * pack's entry, the Inflater its classes share} of {@value #ALL_CLASSES}, read when a class is first needed that the start
     * pack does not hold; an empty array when the jar has no such pack or it is malformed.
     */
    private Object[] allClasses;

    /** A loader for the jar {@code file}, its classes' location made from it (tests: a jar of their own). */
    Agent(File file, ZipFile jar, ClassLoader parent, boolean withStartPack) throws MalformedURLException {
        this(file.toURI().toURL(), jar, parent, withStartPack);
    }

    /**
     * @param location the classes' code source: for this class's own jar the application loader's
     *                 URL for it, as the JDK wrote it (not made again from the file)
     */
    private Agent(URL location, ZipFile jar, ClassLoader parent, boolean withStartPack) {
        super("profguard", parent);
        this.jar = jar;
        this.location = location;
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
        this.startClasses = withStartPack ? startClasses(jar) : null;
    }

    /**
     * The jar's pack of start classes read at once and checked against the CRC-32 the jar's
     * directory records for it (native, about 30 µs); null when there is none, or it is damaged:
     * unreadable, another CRC, malformed (the pack of all classes then).
     */
    private static Object[] startClasses(ZipFile jar) {
        ZipEntry pack = jar.getEntry(START_CLASSES);
        byte[] bytes = pack == null ? null : entryBytes(jar, pack);
        if (bytes != null) {
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length);
            bytes = crc.getValue() == pack.getCrc() ? bytes : null;
        }
        Map<String, int[]> index = bytes == null ? null : index(bytes);
        return index == null ? null : new Object[]{bytes, index};
    }

    /**
     * An entry of the jar, at most {@value #MAX_CLASS} bytes, read at the size the jar's directory
     * records straight into one array (readNBytes(max) would read in 8 KiB pieces and copy them
     * together, all interpreted before main); null when it cannot be read so.
     */
    private static byte[] entryBytes(ZipFile jar, ZipEntry entry) {
        long size = entry.getSize();
        if (size < 0 || size > MAX_CLASS) {
            return null;
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readNBytes(bytes, 0, bytes.length) == bytes.length && in.read() == -1 ? bytes : null;
        } catch (Exception e) { // IOException, not named: the verifier would load it before main
            return null;
        }
    }

    /**
     * Where each class file of a pack is: entries of u2 name length, ASCII name, u4 length, class
     * file, to the end. Null when the pack is larger than a class may be, or any length runs past
     * its end.
     */
    static Map<String, int[]> index(byte[] pack) {
        return pack.length > MAX_CLASS ? null : entries(pack, 1, true);
    }

    /**
     * The entries of a pack or an index: u2 name length, ASCII name, then {@code fields} u4
     * values, to the end; with {@code dataFollows}, the one value is the length of data that
     * follows the entry, and the name maps to {where that data is, its length}, else to the values.
     * Null when a name is empty, or anything runs past the end.
     */
    private static Map<String, int[]> entries(byte[] bytes, int fields, boolean dataFollows) {
        Map<String, int[]> parsed = new HashMap<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes.length - at < 2) {
                return null;
            }
            int nameLength = (bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff);
            at += 2;
            if (nameLength == 0 || bytes.length - at < nameLength + 4 * fields) {
                return null;
            }
            String name = new String(bytes, at, nameLength, StandardCharsets.ISO_8859_1);
            at += nameLength;
            int[] values = new int[dataFollows ? 2 : fields];
            for (int i = 0; i < fields; i++, at += 4) {
                values[i] = u4(bytes, at);
            }
            if (dataFollows) {
                int length = values[0];
                if (length <= 0 || bytes.length - at < length) {
                    return null;
                }
                values[0] = at;
                values[1] = length;
                at += length;
            }
            parsed.put(name, values);
        }
        return parsed;
    }

    /**
     * A loader of its own for this class's jar {@code file}, its Guard defined and registered, ready to
     * start; else null, with why in {@code problem[0]} (the jar unreadable, its pack of start
     * classes damaged, its entry class missing or malformed), and nothing was started.
     */
    private static Agent prepared(File file, boolean withStartPack, String[] problem) {
        try {
            Agent loader = new Agent(locationOfThisClass(), new ZipFile(file), Agent.class.getClassLoader(), withStartPack);
            if (withStartPack && loader.startClasses == null && loader.jar.getEntry(START_CLASSES) != null) {
                problem[0] = "its pack of start classes is damaged";
                return null;
            }
            Class.forName("dev.profguard.Guard", true, loader); // registers its entry: no reflective call
            if (loader.entry == null) {
                problem[0] = "dev.profguard.Guard registered no entry";
                return null;
            }
            return loader;
        } catch (Exception | LinkageError e) { // not IOException by name: the verifier would load it before main
            problem[0] = String.valueOf(e);
            return null;
        }
    }

    /**
     * Called by {@code dev.profguard.Guard}'s initializer: the entry of the loader that defined it.
     * Any other caller (a copy of Guard the application's loader defined) is ignored.
     */
    public static void register(Consumer<Object[]> entry) {
        if (entry != null && entry.getClass().getClassLoader() instanceof Agent) {
            Agent loader = (Agent) entry.getClass().getClassLoader();
            if (loader.entry == null) {
                loader.entry = entry;
            }
        }
    }

    /**
     * A class not of the guard's: this class, or a java.* class straight from the boot loader,
     * where the parents would find them, else through them. The JVM asks this loader once for each class of the
     * runtime that a class of ours names (about ninety before main); through the parents each
     * took two loaders' interpreted lookups and locks, about 1 ms of premain all told (JDK 17 and
     * 25, measured here). Only the boot and platform loaders may define a java.* class, so the
     * answer is the parents' own; it also no longer runs through a system class loader the
     * application may have set (-Djava.system.class.loader). A java.* class of the platform
     * loader's (java.sql, java.net.http) is not in the boot loader, and comes through the parents.
     */
    private Class<?> notOwn(String name, boolean resolve) throws ClassNotFoundException {
        if (name.equals(Agent.class.getName())) {
            return Agent.class; // this class, its parent's: as the parent would answer
        }
        if (name.startsWith("java.")) {
            try {
                return Class.forName(name, false, null);
            } catch (ClassNotFoundException e) {
                // not the boot loader's: the parents then
            }
        }
        return super.loadClass(name, resolve);
    }

    private static boolean own(String name) {
        return name.startsWith(OWN) && !name.equals("dev.profguard.Agent");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!own(name)) {
            return notOwn(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = findClass(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    @SuppressWarnings("unchecked") // the pack's index, as startClasses made it
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!own(name)) {
            throw new ClassNotFoundException(name);
        }
        Object[] packed = startClasses;
        int[] at = packed == null ? null : ((Map<String, int[]>) packed[1]).get(name);
        byte[] bytes;
        if (at != null) {
            bytes = (byte[]) packed[0];
        } else {
            bytes = packedClass(name);
            if (bytes == null) {
                ZipEntry found = jar.getEntry(name.replace('.', '/').concat(".class")); // a jar built without the packs
                bytes = found == null ? null : entryBytes(jar, found);
            }
            if (bytes == null) {
                throw new ClassNotFoundException(name + " is not in the agent jar, or could not be read from it");
            }
            at = new int[]{0, bytes.length};
        }
        // its package defined by the JDK, without the manifest's titles: reading the manifest for
        // them cost 0.4 ms before main; the version is read when asked (version)
        return defineClass(name, bytes, at[0], at[1], domain);
    }

    /**
     * A class file from {@value #ALL_CLASSES}: its data skipped to in the stored entry, inflated,
     * checked (Adler-32, length); null when the jar has no such class or it cannot be read so.
     */
    @SuppressWarnings("unchecked") // the index, as allClasses made it
    private byte[] packedClass(String name) {
        Object[] all = allClasses();
        int[] at = all.length == 0 ? null : ((Map<String, int[]>) all[0]).get(name);
        if (at == null) {
            return null;
        }
        byte[] deflated;
        try (InputStream in = jar.getInputStream((ZipEntry) all[2])) {
            in.skipNBytes((Integer) all[1] + (long) at[0]);
            deflated = in.readNBytes(at[1]);
        } catch (Exception e) { // IOException, not named: the verifier would load it before main
            return null;
        }
        byte[] bytes = new byte[at[2]];
        synchronized (all) { // one Inflater for the loader, reset between classes: each new one is zlib's state and window in native memory
            Inflater inflater = (Inflater) all[3];
            try {
                inflater.reset();
                inflater.setInput(deflated);
                return deflated.length == at[1] && inflater.inflate(bytes) == bytes.length && inflater.finished() ? bytes : null;
            } catch (Exception e) { // DataFormatException, not named: the verifier would load it before main
                return null;
            }
        }
    }

    /** {@link #allClasses}, its index read once. */
    private synchronized Object[] allClasses() {
        if (allClasses == null) {
            ZipEntry pack = jar.getEntry(ALL_CLASSES);
            Object[] read = pack == null ? null : readAllIndex(pack);
            allClasses = read == null ? new Object[0] : read;
        }
        return allClasses;
    }

    /**
     * The index of {@value #ALL_CLASSES}, the whole pack checked first against the CRC-32 the jar's
     * directory records for it (read through once in 64 KiB pieces, about a millisecond, when the
     * first class outside the start pack is needed): a pack damaged anywhere is no pack, so the
     * first class needed from it fails as a damaged jar, whichever class the damage is in.
     */
    private Object[] readAllIndex(ZipEntry pack) {
        try (InputStream in = jar.getInputStream(pack)) {
            byte[] head = in.readNBytes(4);
            int length = head.length == 4 ? u4(head, 0) : -1;
            if (length < 0 || length > MAX_INDEX || pack.getSize() < 4L + length) {
                return null;
            }
            byte[] index = in.readNBytes(length);
            CRC32 crc = new CRC32();
            crc.update(head, 0, head.length);
            crc.update(index, 0, index.length);
            byte[] piece = new byte[65536];
            for (int n; (n = in.read(piece)) > 0; ) {
                crc.update(piece, 0, n);
            }
            if (crc.getValue() != pack.getCrc()) {
                return null;
            }
            Map<String, int[]> parsed = index.length == length ? allIndex(index, pack.getSize() - 4 - length) : null;
            return parsed == null ? null : new Object[]{parsed, 4 + length, pack, new Inflater()};
        } catch (Exception e) { // IOException, not named: the verifier would load it before main
            return null;
        }
    }

    /**
     * The index of {@value #ALL_CLASSES}: entries of u2 name length, ASCII name, u4 offset in the
     * data, u4 deflated length, u4 class file length. Null when any runs past the index's end or
     * points past the data's ({@code dataLength}), or a class file would be larger than a class may be.
     */
    static Map<String, int[]> allIndex(byte[] index, long dataLength) {
        Map<String, int[]> parsed = entries(index, 3, false);
        if (parsed == null) {
            return null;
        }
        for (int[] at : parsed.values()) { // {offset, deflated length, length}
            if (at[0] < 0 || at[1] <= 0 || at[2] <= 0 || at[2] > MAX_CLASS || (long) at[0] + at[1] > dataLength) {
                return null;
            }
        }
        return parsed;
    }

    private static int u4(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 24 | (bytes[at + 1] & 0xff) << 16 | (bytes[at + 2] & 0xff) << 8 | (bytes[at + 3] & 0xff);
    }

    /**
     * The agent's version: the Implementation-Version of the manifest of the jar that {@code type}
     * came from, read when asked; null when there is none. Classes of this loader are in packages
     * without the manifest's titles (the JDK defines them), others (a directory, the classes jar
     * on a class path) have the ones their loader gave them.
     */
    public static String version(Class<?> type) {
        if (type.getClassLoader() instanceof Agent) {
            return ((Agent) type.getClassLoader()).manifest().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        }
        Package pkg = type.getPackage();
        return pkg == null ? null : pkg.getImplementationVersion();
    }

    /** The jar manifest's main attributes, read once; empty when it has none or it cannot be read. */
    private synchronized Attributes manifest() {
        if (mainAttributes == null) {
            mainAttributes = new Attributes();
            ZipEntry entry = jar.getEntry("META-INF/MANIFEST.MF");
            if (entry != null) {
                try (InputStream in = jar.getInputStream(entry)) {
                    mainAttributes = new Manifest(in).getMainAttributes();
                } catch (Exception e) { // IOException, not named: the verifier would load it before main
                    // no version: as for a jar without one
                }
            }
        }
        return mainAttributes;
    }

    @Override
    protected URL findResource(String name) {
        if (jar.getEntry(name) == null) {
            return null;
        }
        try {
            return new URL("jar:" + location + "!/" + name);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }
}
