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
    static final int ABI_VERSION = 6;

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
        int reasons = ProbeNatives.startScan(rules);
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
        return ProbeNatives.defineBootClass(internalName.getBytes(StandardCharsets.US_ASCII), classFile,
                field.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII), value) == 0;
    }

    /** The loaded objects as the probe lists them, unparsed: read later by {@link #loadedObjects(byte[])}. */
    public byte[] loadedObjectsRaw() {
        return ProbeNatives.loadedObjects();
    }

    /**
     * A class file of the runtime image the JVM runs from, as the boot loader read it (e.g. module
     * "java.base", class "jdk/internal/loader/NativeLibraries"), or null when the image or the
     * JVM's libjimage cannot give it.
     */
    public byte[] imageClass(String module, String internalName) {
        return ProbeNatives.imageResource(module.getBytes(StandardCharsets.UTF_8),
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
        return ProbeNatives.patchEntry(classfile, names, count);
    }

    /**
     * Whether the JVM still runs type as it was defined: never redefined nor retransformed (by
     * another agent, before this one). Only then is its class file in the runtime image the class
     * as it runs. False when this JDK cannot say.
     */
    public boolean neverRedefined(Class<?> type) {
        return ProbeNatives.redefinedCount(type) == 0;
    }

    /**
     * The arguments this JVM parsed, in its order (its own record: the options variables,
     * @argfiles and -XX:VMOptionsFile expanded, the program's arguments left out), or null when
     * this JVM does not say.
     */
    public List<String> vmArguments() {
        String[] arguments = ProbeNatives.vmArguments();
        return arguments == null ? null : Arrays.asList(arguments);
    }

    /** Changes whenever an object is loaded or unloaded; -1 where the C library cannot say. */
    public long changeCount() {
        return ProbeNatives.changeCount();
    }

    public List<LoadedObject> loadedObjects() {
        return loadedObjects(ProbeNatives.loadedObjects());
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
        int status = ProbeNatives.definedSymbols(name, bytes(names), defined);
        if (status == ProbeNatives.NOT_LOADED) {
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
        int status = ProbeNatives.definedSymbolsAt(base, bytes(names), defined);
        if (status == -ProbeNatives.NOT_LOADED) {
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
        long[] spans = ProbeNatives.objectSpans(bases);
        if (spans == null || spans.length != 2 * bases.length) {
            throw new IllegalStateException("profguard probe: could not read the spans of " + bases.length + " objects");
        }
        return spans;
    }

    /** The object a global lookup of {@code symbol} resolves to, or null when none defines it. */
    public byte[] provider(String symbol) {
        return ProbeNatives.symbolProvider(bytes(symbol));
    }

    /**
     * The GOT slots of {@code names} in the loaded object {@code object} that point elsewhere than
     * the dynamic linker binds them (an injector rewrote them): name to the object they point into
     * (its name bytes; empty when none). Empty when all are where they belong; null when the object
     * is not loaded or the probe cannot say.
     */
    public Map<String, byte[]> patchedSlots(byte[] object, List<String> names) {
        byte[] blob = ProbeNatives.auditSlots(object, bytes(names));
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
        byte[] values = ProbeNatives.allocatorControls(bytes(names));
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
        byte[] blob = ProbeNatives.liveEnvironment();
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
        int status = ProbeNatives.findMarks(name, bytes(marks), found);
        if (status == ProbeNatives.NOT_LOADED) {
            return null;
        }
        if (status != ProbeNatives.TOO_LARGE) { // a partial scan still reports what it saw
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
        int status = ProbeNatives.callShutdown(name, bytes(shutdownSymbol));
        if (status == ProbeNatives.NOT_LOADED) {
            return SwitchOff.NOT_LOADED;
        }
        if (status == ProbeNatives.NO_SYMBOL) {
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
        int status = ProbeNatives.callShutdownAt(base, bytes(shutdownSymbol));
        if (status == ProbeNatives.NOT_LOADED) {
            return SwitchOff.NOT_LOADED;
        }
        if (status == ProbeNatives.NO_SYMBOL) {
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
        int result = ProbeNatives.openRegular(name);
        if (result == -ProbeNatives.NOT_REGULAR && notRegular != null && notRegular.length > 0) {
            notRegular[0] = true;
        }
        return result >= 0 ? result : -1;
    }

    public void close(int fd) {
        ProbeNatives.closeFile(fd);
    }

    /** The probe library itself as the linker has it loaded (name and base), or null. */
    public LoadedObject self() {
        long[] base = new long[1];
        byte[] name = ProbeNatives.selfObject(base);
        return name == null ? null : new LoadedObject(name, base[0], 0);
    }

    /**
     * Ends the process with {@code _exit(status)}: no C exit handler or library destructor runs,
     * so a profiler client's exit-time flush of its capture data never happens. Returns only if
     * it could not.
     */
    public void endProcess(int status) {
        ProbeNatives.endProcess(status);
    }

    private static void check(int status, String what) {
        if (status != ProbeNatives.OK) {
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
