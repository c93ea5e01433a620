package dev.profguard.runtime;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Reflective handles on the JDK's two native-library loaders, so the gate can run an
 * instrumented load itself and look at what it brought in as soon as it returns: the inserted
 * code can only run first (LoadTransformer). Needs java.base to open jdk.internal.loader and
 * java.io to the agent (RuntimeGuard does that with Instrumentation.redefineModule).
 */
final class JdkLoaders {
    private static final MethodType JNI_TYPE = MethodType.methodType(Object.class, Object.class, Class.class, String.class,
            boolean.class);
    private static final MethodType FFM_TYPE = MethodType.methodType(Object.class, Object.class, String.class);

    // Method handles, not Method.invoke: JDK 17 would generate an accessor class at the 16th call,
    // inside the window between the judgement and dlopen.
    private final MethodHandle jniLoad;  // NativeLibraries.loadLibrary(Class, String, boolean)
    private final Field libraries;       // NativeLibraries.libraries: canonical name -> loaded library
    private final MethodHandle ffmLoad;  // RawNativeLibraries.load(String), null before JDK 19
    private final Field fd;              // FileDescriptor.fd
    private volatile boolean jniWarm;
    private volatile boolean ffmWarm;

    private JdkLoaders(MethodHandle jniLoad, Field libraries, MethodHandle ffmLoad, Field fd) {
        this.jniLoad = jniLoad;
        this.libraries = libraries;
        this.ffmLoad = ffmLoad;
        this.fd = fd;
    }

    /** The handles, or null when this JDK does not have them or does not let the agent use them. */
    static JdkLoaders open() {
        try {
            Class<?> nativeLibraries = Class.forName("jdk.internal.loader.NativeLibraries", false, null);
            Method jniMethod = nativeLibraries.getDeclaredMethod("loadLibrary", Class.class, String.class, boolean.class);
            jniMethod.setAccessible(true);
            MethodHandle jniLoad = MethodHandles.lookup().unreflect(jniMethod).asType(JNI_TYPE);
            Field libraries = nativeLibraries.getDeclaredField("libraries");
            libraries.setAccessible(true);
            MethodHandle ffmLoad = null;
            try {
                Class<?> raw = Class.forName("jdk.internal.loader.RawNativeLibraries", false, null);
                Method ffmMethod = raw.getDeclaredMethod("load", String.class);
                ffmMethod.setAccessible(true);
                ffmLoad = MethodHandles.lookup().unreflect(ffmMethod).asType(FFM_TYPE);
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                // JDK 17/18: no FFM loader to gate
            }
            Field fd = FileDescriptor.class.getDeclaredField("fd");
            fd.setAccessible(true);
            return new JdkLoaders(jniLoad, libraries, ffmLoad, fd);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether this NativeLibraries instance has the library registered under that canonical name:
     * loading it again then returns that library without calling dlopen (JDK 17 to 25).
     */
    boolean registered(Object nativeLibraries, String name) {
        try {
            Object map = libraries.get(nativeLibraries);
            return map instanceof Map<?, ?> loaded && loaded.containsKey(name);
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** Runs the instrumented method itself; what it throws is thrown as it is. */
    Object load(String route, Object owner, Class<?> from, String name) {
        try {
            return route.equals("jni") ? (Object) jniLoad.invokeExact(owner, from, name, false)
                    : (Object) ffmLoad.invokeExact(owner, name);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // the JDK's loaders declare no checked exception
        }
    }

    /**
     * Runs the whole load path once, to a dlopen that fails, so that the first real load does not
     * spend the time of linking calls and initialising the JDK's classes between the judgement
     * and dlopen: a path under /proc that nobody can create, loaded by the boot loader's
     * NativeLibraries (for a boot class: no loader check fails) or by this RawNativeLibraries.
     * A failed load registers nothing (JDK 17 to 25). Call it with the gate's own loads let through.
     */
    void warmUp(String route, Object owner) {
        if (route.equals("jni") ? jniWarm : ffmWarm) {
            return;
        }
        try {
            if (route.equals("jni")) {
                jniWarm = true;
                Method getter = Class.forName("jdk.internal.loader.BootLoader", false, null).getMethod("getNativeLibraries");
                getter.setAccessible(true);
                Object boot = getter.invoke(null);
                load(route, boot, String.class, WARM_UP);
            } else {
                ffmWarm = true;
                load(route, owner, null, WARM_UP);
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException expected) {
            // the load failed, as it was meant to
        }
    }

    /** A file nobody can create: procfs has no such entry. */
    static final String WARM_UP = "/proc/self/profguard-warm-up/none.so";

    boolean canLoad(String route) {
        return route.equals("jni") || ffmLoad != null;
    }

    /** The descriptor number of an open stream, or -1. */
    int number(FileDescriptor descriptor) {
        try {
            return fd.getInt(descriptor);
        } catch (IllegalAccessException | RuntimeException e) {
            return -1;
        }
    }
}
