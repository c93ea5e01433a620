package dev.profguard.runtime;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Reads the class files of the JDK's two native-library loaders once, for {@link RuntimeGuard} to
 * patch and redefine, when they cannot be read from the runtime image (another agent redefined
 * them first: then this gives them as they run): registered only for one retransformation, it changes nothing itself and is
 * removed at once, so no transformer of ours is left to be called for every class the application
 * loads afterwards (issue #16 measured that at +19/+34 ms and +9.5 MiB on an application of 1,500
 * classes). The classes are then redefined with the patched bytes, which JVMTI keeps as their
 * initial class files: another agent's later retransformation starts from them and keeps the gate
 * (LoadGateTest#gateStaysWhenAnotherAgentRetransformsTheLoaders).
 *
 * <p>The patch puts {@code ProfguardBridge.load(route, loader, fromClass, name)} in front of the two methods
 * where the JDK holds the final name it will hand to dlopen, whatever the Java route:
 * <ul>
 * <li>{@code jdk.internal.loader.NativeLibraries.loadLibrary(Class, String, boolean)} (private,
 *     JDK 17, 21 and 25): System/Runtime load and loadLibrary, a class loader's own findLibrary,
 *     java.library.path and sun.boot.library.path as the JDK read them at start-up all end here,
 *     with the canonical path (File.getCanonicalPath) or a built-in library's bare name. Route
 *     "jni".</li>
 * <li>{@code jdk.internal.loader.RawNativeLibraries.load(String)} (JDK 19+; FFM's
 *     SymbolLookup.libraryLookup on 22+): load(Path) calls it with Path.toRealPath(), a
 *     bare name comes as it is and dlopen searches for it. Route "ffm".</li>
 * </ul>
 * Read from the JDKs' sources and class files (javap -p, JDK 17.0.15 and 25.0.3; JDK 21's source).
 * Inserted by {@link EntryPatch}, with the ASM that Byte Buddy bundles as its fallback: a default
 * Byte Buddy AgentBuilder was measured here at ~+750 ms of JVM start, and prints Unsafe warnings on
 * JDK 25; ASM alone still loaded ~25 classes on the path to main.
 */
final class LoadTransformer implements ClassFileTransformer {
    private volatile byte[] jni;
    private volatile byte[] ffm;

    /** NativeLibraries' class file as the JVM holds it, or null when it was not seen. */
    byte[] jni() {
        return jni;
    }

    /** RawNativeLibraries' class file (JDK 19+), or null. */
    byte[] ffm() {
        return ffm;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain,
                            byte[] classfile) {
        if (RuntimeGuard.NATIVE_LIBRARIES.equals(className)) {
            jni = classfile;
        } else if (RuntimeGuard.RAW_LIBRARIES.equals(className)) {
            ffm = classfile;
        }
        return null; // read, not changed: RuntimeGuard redefines the class with the patched bytes
    }
}
