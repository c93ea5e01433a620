package dev.profguard.runtime;

import dev.profguard.probe.Probe;

import java.lang.instrument.Instrumentation;

/**
 * The JDK loaders' patch in Java: what runs when the probe cannot patch them from the runtime
 * image (no probe, a loader another agent redefined first, or a class file the native patch
 * declines). Reads the loaders' class files from the image through the probe when the JVM still
 * runs them as they were defined there, else through one retransformation with a transformer
 * removed at once (which gives them as they run), and patches them with {@link EntryPatch}, or ASM
 * where EntryPatch declines. Kept apart from {@link RuntimeGuard} so that a clean start, which the
 * probe patches, loads none of it.
 */
final class JdkLoaderPatch {
    private static final int ACC_STATIC = 0x0008;

    /** NativeLibraries.loadLibrary(Class, String, boolean). */
    private static final EntryPatch.Targets JNI_TARGETS = new Route(RuntimeGuard.JNI_METHOD, RuntimeGuard.JNI_DESCRIPTOR,
            RuntimeGuard.JNI_ROUTE);
    /** RawNativeLibraries.load(String), where FFM's libraryLookup loads. */
    private static final EntryPatch.Targets FFM_TARGETS = new Route(RuntimeGuard.FFM_METHOD, RuntimeGuard.FFM_DESCRIPTOR,
            RuntimeGuard.FFM_ROUTE);

    private JdkLoaderPatch() {
    }

    /**
     * The patched class files of jni and raw (either null when not patched); counts[0] and
     * counts[1] the methods patched in each (0 or -1: none, as {@link #instrument}).
     */
    static byte[][] patch(Instrumentation instrumentation, Probe probe, Class<?> jni, Class<?> raw, int[] counts)
            throws Exception {
        byte[] jniFile = null;
        byte[] ffmFile = null;
        if (probe != null && jni != null && probe.neverRedefined(jni) && (raw == null || probe.neverRedefined(raw))) {
            jniFile = probe.imageClass("java.base", RuntimeGuard.NATIVE_LIBRARIES);
            ffmFile = raw == null ? null : probe.imageClass("java.base", RuntimeGuard.RAW_LIBRARIES);
        }
        if (jniFile == null || (raw != null && ffmFile == null)) {
            LoadTransformer reader = new LoadTransformer();
            instrumentation.addTransformer(reader, true);
            try {
                if (jni != null && raw != null) {
                    instrumentation.retransformClasses(jni, raw);
                } else if (jni != null) {
                    instrumentation.retransformClasses(jni);
                }
            } finally {
                instrumentation.removeTransformer(reader);
            }
            jniFile = reader.jni();
            ffmFile = reader.ffm();
        }
        int[] count = {0};
        byte[] jniPatch = patchJni(jniFile, count);
        counts[0] = jniPatch == null ? 0 : count[0];
        count[0] = 0;
        byte[] ffmPatch = raw == null ? null : patchFfm(ffmFile, count);
        counts[1] = ffmPatch == null ? 0 : count[0];
        return new byte[][]{jniPatch, ffmPatch};
    }

    /** The patched NativeLibraries, or null when its target was not found; count[0] as {@link #instrument}. */
    static byte[] patchJni(byte[] classfile, int[] count) {
        return classfile == null ? null : instrument(classfile, count, JNI_TARGETS, RuntimeGuard.BRIDGE);
    }

    /** The patched RawNativeLibraries, or null. */
    static byte[] patchFfm(byte[] classfile, int[] count) {
        return classfile == null ? null : instrument(classfile, count, FFM_TARGETS, RuntimeGuard.BRIDGE);
    }

    static EntryPatch.Targets jniTargets() {
        return JNI_TARGETS;
    }

    static EntryPatch.Targets ffmTargets() {
        return FFM_TARGETS;
    }

    /** An instance method by name and the start of its descriptor (what the probe's patch chooses too). */
    private static final class Route implements EntryPatch.Targets {
        private final String method;
        private final String descriptor;
        private final String route;

        Route(String method, String descriptor, String route) {
            this.method = method;
            this.descriptor = descriptor;
            this.route = route;
        }

        @Override
        public String route(int access, String name, String methodDescriptor) {
            boolean target = name.equals(method) && (access & ACC_STATIC) == 0 && methodDescriptor.startsWith(descriptor);
            return target ? route : null;
        }
    }

    /**
     * Puts the bridge call in front of each target method: by {@link EntryPatch}, or by ASM where
     * EntryPatch declines the class file. Returns null (class unchanged) when no target was found
     * or both failed; count[0] is -1 then.
     */
    static byte[] instrument(byte[] classfile, int[] count, EntryPatch.Targets targets, String owner) {
        try {
            return EntryPatch.apply(classfile, targets, owner, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
        } catch (EntryPatch.Declined declined) {
            count[0] = 0;
        }
        try {
            return AsmEntryPatch.apply(classfile, targets, owner, RuntimeGuard.BRIDGE_LOAD_DESCRIPTOR, count);
        } catch (RuntimeException | LinkageError e) {
            count[0] = -1;
            return null; // leave the class as it is; the installer reports the gate missing
        }
    }
}
