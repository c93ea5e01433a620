package dev.profguard.runtime;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Inserts {@code ProfguardBridge.check(route, fromClass, name)} at the start of every Java route
 * to loading a native library:
 * <ul>
 * <li>{@code java.lang.Runtime.load0(Class, String)} and {@code loadLibrary0(Class, String)}, where
 *     System.load, System.loadLibrary, Runtime.load and Runtime.loadLibrary meet on JDK 17 to 25
 *     (shared/docs/jdk-facts.md);</li>
 * <li>{@code jdk.internal.loader.RawNativeLibraries.load(Path)} and {@code load(String)}, where
 *     FFM's {@code SymbolLookup.libraryLookup} loads on JDK 22+ (route "ffm", no calling class).</li>
 * </ul>
 * Straight-line code at method entry; locals are untouched. Inserted by {@link EntryPatch}, a
 * class-file edit of a few hundred lines, with the ASM that Byte Buddy bundles as its fallback: a
 * default Byte Buddy AgentBuilder was measured here at ~+750 ms of JVM start, and prints Unsafe
 * warnings on JDK 25; ASM alone still loaded ~25 classes on the path to main.
 */
final class LoadTransformer implements ClassFileTransformer {
    static final String RUNTIME = "java/lang/Runtime";
    static final String RAW_LIBRARIES = "jdk/internal/loader/RawNativeLibraries";
    static final String TARGET_DESCRIPTOR = EntryPatch.CLASS_STRING + "V";
    private static final int ACC_STATIC = 0x0008;

    private volatile int runtimeInstrumented;
    private volatile int ffmInstrumented;

    /** How many of Runtime's two entry points were instrumented in its last transformation. */
    int runtimeInstrumented() {
        return runtimeInstrumented;
    }

    /** How many of RawNativeLibraries' two load methods were instrumented (JDK 22+). */
    int ffmInstrumented() {
        return ffmInstrumented;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) {
        if (RUNTIME.equals(className)) {
            int[] count = {0};
            byte[] result = instrument(classfile, count, RUNTIME_TARGETS, GateBridge.NAME);
            runtimeInstrumented = count[0];
            return result;
        }
        if (RAW_LIBRARIES.equals(className)) {
            int[] count = {0};
            byte[] result = instrument(classfile, count, FFM_TARGETS, GateBridge.NAME);
            ffmInstrumented = count[0];
            return result;
        }
        return null;
    }

    /** Runtime.load0 / loadLibrary0(Class, String). Named classes, not lambdas: this runs in premain. */
    private static final EntryPatch.Targets RUNTIME_TARGETS = new EntryPatch.Targets() {
        @Override
        public String route(int access, String name, String descriptor) {
            if ((access & ACC_STATIC) != 0 || !descriptor.equals(TARGET_DESCRIPTOR)) {
                return null;
            }
            return name.equals("load0") ? "load" : name.equals("loadLibrary0") ? "loadLibrary" : null;
        }
    };

    static EntryPatch.Targets runtimeTargets() {
        return RUNTIME_TARGETS;
    }

    /** RawNativeLibraries.load(Path) and load(String), where FFM's libraryLookup loads. */
    private static final EntryPatch.Targets FFM_TARGETS = new EntryPatch.Targets() {
        @Override
        public String route(int access, String name, String descriptor) {
            boolean target = name.equals("load") && (access & ACC_STATIC) == 0
                    && (descriptor.startsWith("(Ljava/nio/file/Path;)") || descriptor.startsWith("(Ljava/lang/String;)"));
            return target ? "ffm" : null;
        }
    };

    /**
     * Inserts, at the start of each target method, check(route, calling class or null, name as a
     * String): by {@link EntryPatch}, or by ASM where EntryPatch declines the class file. Returns
     * null (class unchanged) when no target was found or both failed; count[0] is -1 then.
     */
    static byte[] instrument(byte[] classfile, int[] count, EntryPatch.Targets targets, String owner) {
        try {
            return EntryPatch.apply(classfile, targets, owner, GateBridge.CHECK_DESCRIPTOR, count);
        } catch (EntryPatch.Declined declined) {
            count[0] = 0;
        }
        try {
            return AsmEntryPatch.apply(classfile, targets, owner, GateBridge.CHECK_DESCRIPTOR, count);
        } catch (RuntimeException | LinkageError e) {
            count[0] = -1;
            return null; // leave the class as it is; the installer reports the gate missing
        }
    }
}
