package dev.profguard;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
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
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The {@code -javaagent} entry points, and the class loader of the agent's own classes: every
 * class of the agent jar under {@code dev.profguard.} but this one is defined by an instance of
 * this class, from the jar, and never taken from the application's class loader (which also has
 * the jar, as every agent's). One class for both: the application's loader loads only it (a
 * second class through its class path cost about 0.5 ms before main). The work is in
 * {@link Guard}.
 *
 * <p>Why a loader of its own:
 * <ul>
 * <li>Start-up cost. The application's loader finds each class through its class path, with a
 *     code source, a package and manifest check per class, all interpreted before main: about
 *     175 µs a class measured here (a premain loading 25 small classes). This loader reads the
 *     entry from the jar it keeps open and defines it: about half of that. The classes a clean
 *     start loads before main it defines from one stored resource the build packed
 *     ({@code dev.profguard.StartClasses}), read at once: no lookup and no inflater per class
 *     (3.3-3.9 ms of premain for 22 classes measured before, 0.35-0.6 ms for the one read).</li>
 * <li>Isolation. The agent's classes and their state (the gate's hook, the watcher, the options)
 *     are not the application's: a {@code dev.profguard} class the application names is its own
 *     copy, never the running guard. What the agent opens in java.base it opens to this loader's
 *     module, not to the application's.</li>
 * </ul>
 * Classes of the JDK come from the application's loader's parents, as for any class.
 */
public final class Agent extends ClassLoader {
    private static final String OWN = "dev.profguard.";
    private static final int MAX_CLASS = 4 << 20;

    /** The build's pack of the classes a clean start loads before main (dev.profguard.StartClasses). */
    private static final String START_CLASSES = "META-INF/profguard/start-classes.bin";

    static {
        registerAsParallelCapable();
    }

    /**
     * The agent given twice (command line and JAVA_TOOL_OPTIONS) runs once: one class, one flag.
     * A plain lock rather than AtomicBoolean, whose VarHandle machinery costs start-up time.
     */
    private static boolean started;

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
     * a jar, else (classes in a directory: the build's own tests) in this class's loader.
     */
    private static void start(String args, Instrumentation instrumentation, boolean atStartup) {
        File jar = jarOfThisClass();
        String problem = jar == null ? null : startInOwnLoader(jar, args, instrumentation, atStartup);
        if (jar != null && problem == null) {
            return;
        }
        if (problem != null) {
            // never silent: the guard still runs, but shares the application's loader
            System.err.println("profguard: WARN the agent's own class loader could not start (" + problem + "): the "
                    + "guard runs in the application's class loader instead, without its isolation. Reinstall the agent jar.");
        }
        Guard.start(args, instrumentation, atStartup);
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
        } catch (Exception e) { // URISyntaxException: not named, the verifier would load it before main
            return null;
        }
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
     * null: what is not loaded by then comes from the jar, and the pack's memory is released.
     */
    private volatile Object[] startClasses;

    private Agent(File file, ZipFile jar, ClassLoader parent) throws MalformedURLException {
        super("profguard", parent);
        this.jar = jar;
        this.location = file.toURI().toURL();
        this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
        this.startClasses = startClasses(jar);
    }

    /** The jar's pack of start classes read at once, or null (none, unreadable or malformed: the jar's entries then). */
    private static Object[] startClasses(ZipFile jar) {
        ZipEntry pack = jar.getEntry(START_CLASSES);
        byte[] bytes = pack == null ? null : entryBytes(jar, pack);
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
        if (pack.length > MAX_CLASS) {
            return null;
        }
        Map<String, int[]> index = new HashMap<>();
        int at = 0;
        while (at < pack.length) {
            if (pack.length - at < 2) {
                return null;
            }
            int nameLength = (pack[at] & 0xff) << 8 | (pack[at + 1] & 0xff);
            at += 2;
            if (nameLength == 0 || pack.length - at < nameLength + 4) {
                return null;
            }
            String name = new String(pack, at, nameLength, StandardCharsets.ISO_8859_1);
            at += nameLength;
            int length = (pack[at] & 0xff) << 24 | (pack[at + 1] & 0xff) << 16 | (pack[at + 2] & 0xff) << 8 | (pack[at + 3] & 0xff);
            at += 4;
            if (length <= 0 || pack.length - at < length) {
                return null;
            }
            index.put(name, new int[]{at, length});
            at += length;
        }
        return index;
    }

    /**
     * Starts the guard in a loader of its own made for the jar {@code file}: null when started,
     * else why it could not be (the jar unreadable, its entry class missing or malformed), and
     * nothing was started.
     */
    private static String startInOwnLoader(File file, String args, Instrumentation instrumentation, boolean atStartup) {
        Agent loader;
        try {
            loader = new Agent(file, new ZipFile(file), Agent.class.getClassLoader());
            Class.forName("dev.profguard.Guard", true, loader); // registers its entry: no reflective call
        } catch (Exception | LinkageError e) { // not IOException by name: the verifier would load it before main
            return String.valueOf(e);
        }
        Consumer<Object[]> start = loader.entry;
        if (start == null) {
            return "dev.profguard.Guard registered no entry";
        }
        try {
            start.accept(new Object[]{args, instrumentation, atStartup});
        } finally {
            loader.startClasses = null;
        }
        return null;
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

    private static boolean own(String name) {
        return name.startsWith(OWN) && !name.equals("dev.profguard.Agent");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!own(name)) {
            return super.loadClass(name, resolve);
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
            ZipEntry found = jar.getEntry(name.replace('.', '/').concat(".class"));
            if (found == null) {
                throw new ClassNotFoundException(name);
            }
            bytes = entryBytes(jar, found);
            if (bytes == null) {
                throw new ClassNotFoundException(name + " could not be read from the agent jar, or is larger than "
                        + MAX_CLASS + " bytes");
            }
            at = new int[]{0, bytes.length};
        }
        String pkg = name.substring(0, name.lastIndexOf('.'));
        if (getDefinedPackage(pkg) == null) {
            definePackage(pkg);
        }
        return defineClass(name, bytes, at[0], at[1], domain);
    }

    /**
     * A package with the jar's own titles and versions (its manifest's main section), as the
     * application's loader would define it: Package.getImplementationVersion is the agent's version.
     */
    private void definePackage(String pkg) {
        Attributes main = manifest();
        try {
            definePackage(pkg, main.getValue(Attributes.Name.SPECIFICATION_TITLE),
                    main.getValue(Attributes.Name.SPECIFICATION_VERSION), main.getValue(Attributes.Name.SPECIFICATION_VENDOR),
                    main.getValue(Attributes.Name.IMPLEMENTATION_TITLE), main.getValue(Attributes.Name.IMPLEMENTATION_VERSION),
                    main.getValue(Attributes.Name.IMPLEMENTATION_VENDOR), null);
        } catch (IllegalArgumentException e) {
            // defined meanwhile by another thread: the same attributes
        }
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
                    // no titles nor versions: Package's getters say null, as for a jar without them
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
