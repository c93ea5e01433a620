package dev.profguard.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded probe, as domain types: loaded objects, the symbols each defines, who provides
 * {@code malloc}, the live environment, marks in an object's memory, and switching a client off.
 * Obtained from {@link NativeLoader#load}; one per JVM.
 */
public final class Probe {
    static final int ABI_VERSION = 10;

    // The JNI methods, bound by RegisterNatives in the library's JNI_OnLoad (probe_jni.c), here
    // rather than in a class of their own: one class less to load before main (issue #16). Strings
    // cross as byte arrays: paths and environment entries are bytes, not always valid UTF-8.
    // Status codes as the C side returns them:
    static final int OK = 0;
    static final int NOT_LOADED = 1;
    static final int NO_SYMBOL = 2;
    static final int TOO_LARGE = 3;
    static final int NO_MEMORY = 4;
    static final int BAD_INPUT = 5;
    static final int UNAVAILABLE = 6;
    static final int NOT_REGULAR = 7;
    static final int BUSY = 8;

    static native int abiVersion0();

    static native long changeCount0();

    static native byte[] loadedObjects0();

    static native int definedSymbols0(byte[] path, byte[][] names, boolean[] defined);

    static native byte[] symbolProvider0(byte[] name);

    /** Which of names the ELF object mapped at base defines, read in memory; 0, or minus a status (NOT_LOADED: none there). */
    static native int definedSymbolsAt0(long base, byte[][] names, boolean[] defined);

    /** For each base, the start and end of the loadable segments of the object there (0, 0: none); null for bad input. */
    static native long[] objectSpans0(long[] bases);

    static native byte[] liveEnvironment0();

    /**
     * A resource of the runtime image the JVM runs from, read through the JVM's own libjimage
     * (runtime_image.c): e.g. module "java.base", name "java/lang/Object.class"; null when not there
     * or not readable.
     */
    static native byte[] imageResource0(byte[] module, byte[] name);

    /**
     * The load gate's patch of a JDK loader (entry_patch.c): names = {module, resource, method,
     * descriptor prefix, route, owner, load descriptor}; the class file given, or read from the
     * runtime image when classfile is null. The patched class file, or null with count[0] 0 (no
     * target), -1 (declined: malformed or not handled) or -2 (not in the image).
     */
    static native byte[] patchEntry0(byte[] classfile, byte[][] names, int[] count);

    /** How often the JVM redefined or retransformed type (Class.classRedefinedCount); -1 when unknown. */
    static native int redefinedCount0(Class<?> type);

    static native String[] vmArguments0();

    static native int findMarks0(byte[] path, byte[][] patterns, boolean[] found);

    static native int callShutdown0(byte[] path, byte[] symbol);

    /** Calls symbol in the ELF object mapped at base, found through its dynamic section in memory. */
    static native int callShutdownAt0(long base, byte[] symbol);

    /** A descriptor (>= 0) of path opened for reading if it is a regular file, else minus a status. */
    static native int openRegular0(byte[] path);

    static native int closeFile0(int fd);

    /** The file the kernel maps for path now (a page mapped and asked of): {major, minor, inode} into out; 0, or minus a status. */
    static native int mappedFile0(byte[] path, long[] out);

    /** The first bytes of a regular file into into, opened without waiting: their count, or minus a status (BUSY: under a lease). */
    static native int readHead0(byte[] path, byte[] into);

    /** The probe library's own name; base[0] receives its load address. */
    static native byte[] selfObject0(long[] base);

    /**
     * The start-up scan's first look (start_scan.c), with the built-in rules in the probe's line
     * format: 0 when the full scan would find nothing, else what to look closer at (bits); minus a
     * status when the rules cannot be read. {@code judged}: device, inode and change time (ns) triples of files the load
     * gate judged whole and found mapped as judged, placed as the system's are, at the JVM's end
     * (where the working directory is listed for a capture file's name too); null at start-up.
     */
    static native int startScan0(byte[] rules, long[] judged);

    /**
     * Defines a class in the boot loader from its bytes (or keeps the one defined before) and sets
     * its static field {@code field} of type {@code signature} to {@code value}: 0, or minus a status.
     * With field, signature and value all null, only defines it: 0 when defined now from these
     * bytes, 1 when not (defined before, or refused), or minus a status.
     */
    static native int defineBootClass0(byte[] name, byte[] bytes, byte[] field, byte[] signature, Object value);

    /** _exit(status): returns only if the process could not be ended. */
    static native void endProcess0(int status);

    /**
     * GOT slots of names in the loaded object path that point elsewhere than the linker binds
     * them: records u32 index, u32 length, path of the object pointed into; null when not loaded.
     */
    static native byte[] auditSlots0(byte[] path, byte[][] names);

    /** The boolean allocator controls (jemalloc's "opt.prof") as mallctl reads them: 1, 0, or -1 (none). */
    static native byte[] allocatorControls0(byte[][] names);

    /** What switching a client off did. */
    public enum SwitchOff {
        /** The shutdown function was called. */
        CALLED,
        /** No loaded object has that name (any more). */
        NOT_LOADED,
        /** The object does not define the shutdown function itself (hidden, stripped, another build). */
        NO_SHUTDOWN
    }

    Probe() {
    }

    /**
     * The start-up scan's first look, in C, with rules in the probe's line format: 0 when the
     * full scan with those rules would find nothing, else what to look closer at (reason bits,
     * 32 for something that could not be read).
     *
     * @throws IllegalArgumentException when the probe cannot read the rules
     */
    public int startScan(byte[] rules) {
        return startScan(rules, null);
    }

    /**
     * As {@link #startScan(byte[])}, with the files the load gate judged whole and found mapped as
     * judged ({@code judged}: device, inode and change time in nanoseconds, triples, as stat(2) gives
     * them; a file changed since is not one of them), whose listed objects
     * are then placed as the system's are and judged by their images in memory.
     */
    public int startScan(byte[] rules, long[] judged) {
        int reasons = startScan0(rules, judged);
        if (reasons < 0) {
            throw new IllegalArgumentException("profguard probe: the start-up rules cannot be read (status " + -reasons + ")");
        }
        return reasons;
    }

    /**
     * Defines {@code internalName} in the boot loader (java.base for a java/lang name) from its
     * class file, or keeps the class defined before under that name, and sets its static field
     * {@code field} (of type {@code signature}) to {@code value}, through JNI: no module needs to
     * be opened for it. Whether it was done.
     */
    public boolean defineBootClass(String internalName, byte[] classFile, String field, String signature, Object value) {
        return defineBootClass0(internalName.getBytes(StandardCharsets.US_ASCII), classFile,
                field.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII), value) == 0;
    }

    /**
     * Defines {@code internalName} in the boot loader from {@code classFile}, through JNI, when no
     * class of that name is defined there yet (a class of the runtime image not loaded so far, its
     * class file patched): true when it was defined now, from these bytes; false when it was
     * defined before (it then runs as it is: the caller redefines it) or the JVM refused them.
     */
    public boolean defineBootClassIfAbsent(String internalName, byte[] classFile) {
        return defineBootClass0(internalName.getBytes(StandardCharsets.US_ASCII), classFile, null, null, null) == 0;
    }

    /** The loaded objects as the probe lists them, unparsed: read later by {@link #loadedObjects(byte[])}. */
    public byte[] loadedObjectsRaw() {
        return loadedObjects0();
    }

    /**
     * A class file of the runtime image the JVM runs from, as the boot loader read it (e.g. module
     * "java.base", class "jdk/internal/loader/NativeLibraries"), or null when the image or the
     * JVM's libjimage cannot give it.
     */
    public byte[] imageClass(String module, String internalName) {
        return imageResource0(module.getBytes(StandardCharsets.UTF_8),
                (internalName + ".class").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A class of the runtime image with the load gate's call in front of its instance methods
     * named {@code method} whose descriptor starts with {@code prefix}: the agent's EntryPatch,
     * done natively so that a clean start neither loads nor interprets it. {@code classfile}: the
     * class file to patch, or null to read {@code module}'s {@code internalName} from the image.
     * Returns the patched class file, or null with count[0] 0 (no such method), -1 (the class file
     * has what the native patch does not handle: the Java patcher decides) or -2 (not in the image).
     */
    public byte[] patchedImageClass(byte[] classfile, String module, String internalName, String method, String prefix,
                                    String route, String owner, String loadDescriptor, int[] count) {
        byte[][] names = {module.getBytes(StandardCharsets.UTF_8), (internalName + ".class").getBytes(StandardCharsets.UTF_8),
                method.getBytes(StandardCharsets.UTF_8), prefix.getBytes(StandardCharsets.UTF_8),
                route.getBytes(StandardCharsets.UTF_8), owner.getBytes(StandardCharsets.UTF_8),
                loadDescriptor.getBytes(StandardCharsets.UTF_8)};
        return patchEntry0(classfile, names, count);
    }

    /**
     * Whether the JVM still runs type as it was defined: never redefined nor retransformed (by
     * another agent, before this one). Only then is its class file in the runtime image the class
     * as it runs. False when this JDK cannot say.
     */
    public boolean neverRedefined(Class<?> type) {
        return redefinedCount0(type) == 0;
    }

    /**
     * The arguments this JVM parsed, in its order (its own record: the options variables,
     * @argfiles and -XX:VMOptionsFile expanded, the program's arguments left out), or null when
     * this JVM does not say.
     */
    public List<String> vmArguments() {
        String[] arguments = vmArguments0();
        return arguments == null ? null : Arrays.asList(arguments);
    }

    /** Changes whenever an object is loaded or unloaded; -1 where the C library cannot say. */
    public long changeCount() {
        return changeCount0();
    }

    public List<LoadedObject> loadedObjects() {
        return loadedObjects(loadedObjects0());
    }

    /** The objects of a list taken earlier by {@link #loadedObjectsRaw()}. */
    public List<LoadedObject> loadedObjects(byte[] blob) {
        ByteBuffer records = ByteBuffer.wrap(blob).order(ByteOrder.nativeOrder());
        List<LoadedObject> objects = new ArrayList<>();
        while (records.remaining() >= 20) {
            long base = records.getLong();
            long zeroFill = records.getLong();
            int length = records.getInt();
            if (length < 0 || length > records.remaining()) {
                throw new IllegalStateException("profguard probe: malformed object list");
            }
            byte[] name = new byte[length];
            records.get(name);
            objects.add(new LoadedObject(name, base, zeroFill));
        }
        return objects;
    }

    /** Which of {@code names} the loaded object named {@code name} defines itself; null when it is not loaded. */
    public List<String> definedSymbols(byte[] name, List<String> names) {
        boolean[] defined = new boolean[names.size()];
        int status = definedSymbols0(name, bytes(names), defined);
        if (status == NOT_LOADED) {
            return null;
        }
        check(status, "read the symbols of " + Names.display(name));
        return selected(names, defined);
    }

    /**
     * Which of {@code names} the ELF object whose header is mapped at {@code base} defines, read in
     * this process's memory: what a mapping holds, whatever file its name points at now. Null when
     * no ELF object is there.
     */
    public List<String> definedSymbolsAt(long base, List<String> names) {
        boolean[] defined = new boolean[names.size()];
        int status = definedSymbolsAt0(base, bytes(names), defined);
        if (status == -NOT_LOADED) {
            return null;
        }
        check(-status, "read the symbols mapped at 0x" + Long.toHexString(base));
        return selected(names, defined);
    }

    /**
     * For each of {@code bases}, the address range [start, end) of the loadable segments of the ELF
     * object whose header is mapped there, read in memory: {start0, end0, start1, end1, ...}, 0 and 0
     * where no object is.
     */
    public long[] spans(long[] bases) {
        long[] spans = objectSpans0(bases);
        if (spans == null || spans.length != 2 * bases.length) {
            throw new IllegalStateException("profguard probe: could not read the spans of " + bases.length + " objects");
        }
        return spans;
    }

    /** The object a global lookup of {@code symbol} resolves to, or null when none defines it. */
    public byte[] provider(String symbol) {
        return symbolProvider0(bytes(symbol));
    }

    /**
     * The GOT slots of {@code names} in the loaded object {@code object} that point elsewhere than
     * the dynamic linker binds them (an injector rewrote them): name to the object they point into
     * (its name bytes; empty when none). Empty when all are where they belong; null when the object
     * is not loaded or the probe cannot say.
     */
    public Map<String, byte[]> patchedSlots(byte[] object, List<String> names) {
        byte[] blob = auditSlots0(object, bytes(names));
        if (blob == null) {
            return null;
        }
        Map<String, byte[]> patched = new LinkedHashMap<>();
        java.nio.ByteBuffer records = java.nio.ByteBuffer.wrap(blob).order(java.nio.ByteOrder.nativeOrder());
        while (records.remaining() >= 8) {
            int index = records.getInt();
            int length = records.getInt();
            if (index < 0 || index >= names.size() || length < 0 || length > records.remaining()) {
                break;
            }
            byte[] target = new byte[length];
            records.get(target);
            patched.put(names.get(index), target);
        }
        return patched;
    }

    /**
     * The boolean allocator controls among {@code names} that the allocator in this process
     * (jemalloc, through mallctl) reports true; empty when none or no such allocator.
     */
    public List<String> allocatorControlsOn(List<String> names) {
        byte[] values = allocatorControls0(bytes(names));
        List<String> on = new ArrayList<>();
        for (int i = 0; values != null && i < values.length && i < names.size(); i++) {
            if (values[i] == 1) {
                on.add(names.get(i));
            }
        }
        return on;
    }

    /** The environment as it is now in C's {@code environ} (setenv after start included). */
    public Map<String, String> liveEnvironment() {
        byte[] blob = liveEnvironment0();
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i < blob.length; i++) {
            if (blob[i] == 0) {
                String entry = new String(blob, start, i - start, StandardCharsets.UTF_8);
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return Collections.unmodifiableMap(env);
    }

    /**
     * Which of {@code marks} occur in the file-backed memory of the loaded object {@code path};
     * null when it is not loaded.
     */
    public List<String> marks(byte[] name, List<String> marks) {
        boolean[] found = new boolean[marks.size()];
        int status = findMarks0(name, bytes(marks), found);
        if (status == NOT_LOADED) {
            return null;
        }
        if (status != TOO_LARGE) { // a partial scan still reports what it saw
            check(status, "read the memory of " + Names.display(name));
        }
        return selected(marks, found);
    }

    /** The items whose flag the native side set. */
    private static List<String> selected(List<String> items, boolean[] flags) {
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < flags.length; i++) {
            if (flags[i]) {
                chosen.add(items.get(i));
            }
        }
        return chosen;
    }

    /** Calls {@code shutdownSymbol} (e.g. rmemShutDown) in the loaded object {@code path}. */
    public SwitchOff switchOff(byte[] name, String shutdownSymbol) {
        int status = callShutdown0(name, bytes(shutdownSymbol));
        if (status == NOT_LOADED) {
            return SwitchOff.NOT_LOADED;
        }
        if (status == NO_SYMBOL) {
            return SwitchOff.NO_SHUTDOWN;
        }
        check(status, "switch off " + Names.display(name));
        return SwitchOff.CALLED;
    }

    /**
     * Calls {@code shutdownSymbol} in the ELF object whose first mapping starts at {@code base},
     * found through the object's own dynamic section in memory: for an object the linker's
     * default namespace does not know (opened with dlmopen), which {@link #switchOff} cannot reach.
     */
    public SwitchOff switchOffAt(long base, String shutdownSymbol) {
        int status = callShutdownAt0(base, bytes(shutdownSymbol));
        if (status == NOT_LOADED) {
            return SwitchOff.NOT_LOADED;
        }
        if (status == NO_SYMBOL) {
            return SwitchOff.NO_SHUTDOWN;
        }
        check(status, "switch off the object at 0x" + Long.toHexString(base));
        return SwitchOff.CALLED;
    }

    /**
     * Opens a file by its name's bytes for reading, only if it is a regular file and without ever
     * blocking; the caller reads it through {@code /proc/self/fd/N} and closes it with
     * {@link #close}. Returns the descriptor, or -1 when it is missing, unreadable or not regular
     * ({@code notRegular[0]} is then set for a FIFO, device, socket or directory).
     */
    public int openRegular(byte[] name, boolean[] notRegular) {
        int result = openRegular0(name);
        if (result == -NOT_REGULAR && notRegular != null && notRegular.length > 0) {
            notRegular[0] = true;
        }
        return result >= 0 ? result : -1;
    }

    public void close(int fd) {
        closeFile0(fd);
    }

    /**
     * The file the kernel maps for {@code name} now, as the maps show a mapping of it: {major,
     * minor, inode}; null when it cannot say (not a regular file, unreadable, gone). Where stat(2)
     * and the maps disagree on a device (overlayfs), this is the comparison that holds, and exactly.
     */
    /** {@link #readHead}: another process holds a lease on the file; opening it would wait. */
    public static final int HEAD_BUSY = -2;

    /**
     * The first bytes of the regular file {@code name} into {@code into} (at most 4096), opened
     * without waiting: their count; {@link #HEAD_BUSY} when another process holds a lease on it
     * (a blocking open waits the kernel's lease-break time, 45 s by default); -1 when it cannot be
     * read (gone, not regular, unreadable).
     */
    public int readHead(byte[] name, byte[] into) {
        int got = readHead0(name, into);
        return got >= 0 ? got : got == -BUSY ? HEAD_BUSY : -1;
    }

    public long[] mappedFile(byte[] name) {
        long[] out = new long[3];
        return mappedFile0(name, out) == OK ? out : null;
    }

    /** The probe library itself as the linker has it loaded (name and base), or null. */
    public LoadedObject self() {
        long[] base = new long[1];
        byte[] name = selfObject0(base);
        return name == null ? null : new LoadedObject(name, base[0], 0);
    }

    /**
     * Ends the process with {@code _exit(status)}: no C exit handler or library destructor runs,
     * so a profiler client's exit-time flush of its capture data never happens. Returns only if
     * it could not.
     */
    public void endProcess(int status) {
        endProcess0(status);
    }

    private static void check(int status, String what) {
        if (status != OK) {
            throw new IllegalStateException("profguard probe: could not " + what + " (status " + status + ")");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] bytes(List<String> texts) {
        byte[][] all = new byte[texts.size()][];
        for (int i = 0; i < all.length; i++) {
            all[i] = bytes(texts.get(i));
        }
        return all;
    }
}
