package dev.profguard.probe;

/**
 * The probe's native methods and nothing else; {@link Probe} turns their codes and arrays into
 * domain types. Bound by RegisterNatives in the library's JNI_OnLoad (see probe_jni.c). Strings
 * cross as byte arrays: paths and environment entries are bytes, not always valid UTF-8.
 */
final class ProbeNatives {
    static final int OK = 0;
    static final int NOT_LOADED = 1;
    static final int NO_SYMBOL = 2;
    static final int TOO_LARGE = 3;
    static final int NO_MEMORY = 4;
    static final int BAD_INPUT = 5;
    static final int UNAVAILABLE = 6;
    static final int NOT_REGULAR = 7;

    private ProbeNatives() {
    }

    static native int abiVersion();

    static native long changeCount();

    static native byte[] loadedObjects();

    static native int definedSymbols(byte[] path, byte[][] names, boolean[] defined);

    static native byte[] symbolProvider(byte[] name);

    /** Which of names the ELF object mapped at base defines, read in memory; 0, or minus a status (NOT_LOADED: none there). */
    static native int definedSymbolsAt(long base, byte[][] names, boolean[] defined);

    /** For each base, the start and end of the loadable segments of the object there (0, 0: none); null for bad input. */
    static native long[] objectSpans(long[] bases);

    static native byte[] liveEnvironment();

    /**
     * A resource of the runtime image the JVM runs from, read through the JVM's own libjimage
     * (runtime_image.c): e.g. module "java.base", name "java/lang/Object.class"; null when not there
     * or not readable.
     */
    static native byte[] imageResource(byte[] module, byte[] name);

    /**
     * The load gate's patch of a JDK loader (entry_patch.c): names = {module, resource, method,
     * descriptor prefix, route, owner, load descriptor}; the class file given, or read from the
     * runtime image when classfile is null. The patched class file, or null with count[0] 0 (no
     * target), -1 (declined: malformed or not handled) or -2 (not in the image).
     */
    static native byte[] patchEntry(byte[] classfile, byte[][] names, int[] count);

    /** How often the JVM redefined or retransformed type (Class.classRedefinedCount); -1 when unknown. */
    static native int redefinedCount(Class<?> type);

    static native String[] vmArguments();

    static native int findMarks(byte[] path, byte[][] patterns, boolean[] found);

    static native int callShutdown(byte[] path, byte[] symbol);

    /** Calls symbol in the ELF object mapped at base, found through its dynamic section in memory. */
    static native int callShutdownAt(long base, byte[] symbol);

    /** A descriptor (>= 0) of path opened for reading if it is a regular file, else minus a status. */
    static native int openRegular(byte[] path);

    static native int closeFile(int fd);

    /** The probe library's own name; base[0] receives its load address. */
    static native byte[] selfObject(long[] base);

    /**
     * The start-up scan's first look (start_scan.c), with the built-in rules in the probe's line
     * format: 0 when the full scan would find nothing, else what to look closer at (bits); minus a
     * status when the rules cannot be read.
     */
    static native int startScan(byte[] rules);

    /**
     * Defines a class in the boot loader from its bytes (or keeps the one defined before) and sets
     * its static field {@code field} of type {@code signature} to {@code value}: 0, or minus a status.
     */
    static native int defineBootClass(byte[] name, byte[] bytes, byte[] field, byte[] signature, Object value);

    /** _exit(status): returns only if the process could not be ended. */
    static native void endProcess(int status);

    /**
     * GOT slots of names in the loaded object path that point elsewhere than the linker binds
     * them: records u32 index, u32 length, path of the object pointed into; null when not loaded.
     */
    static native byte[] auditSlots(byte[] path, byte[][] names);

    /** The boolean allocator controls (jemalloc's "opt.prof") as mallctl reads them: 1, 0, or -1 (none). */
    static native byte[] allocatorControls(byte[][] names);
}
