package dev.profguard.runtime;

import java.io.FileDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Reflective handles on the JDK's two native-library loaders, so the gate can run an
 * instrumented load itself and look at what it brought in as soon as it returns: the inserted
 * code can only run first (LoadTransformer). Needs java.base to open jdk.internal.loader and
 * java.io to the agent (RuntimeGuard does that with Instrumentation.redefineModule).
 */
final class JdkLoaders {
    private final Method jniLoad;       // NativeLibraries.loadLibrary(Class, String, boolean)
    private final Field libraries;      // NativeLibraries.libraries: canonical name -> loaded library
    private final Method ffmLoad;       // RawNativeLibraries.load(String), null before JDK 19
    private final Field fd;             // FileDescriptor.fd

    private JdkLoaders(Method jniLoad, Field libraries, Method ffmLoad, Field fd) {
        this.jniLoad = jniLoad;
        this.libraries = libraries;
        this.ffmLoad = ffmLoad;
        this.fd = fd;
    }

    /** The handles, or null when this JDK does not have them or does not let the agent use them. */
    static JdkLoaders open() {
        try {
            Class<?> nativeLibraries = Class.forName("jdk.internal.loader.NativeLibraries", false, null);
            Method jniLoad = nativeLibraries.getDeclaredMethod("loadLibrary", Class.class, String.class, boolean.class);
            jniLoad.setAccessible(true);
            Field libraries = nativeLibraries.getDeclaredField("libraries");
            libraries.setAccessible(true);
            Method ffmLoad = null;
            try {
                Class<?> raw = Class.forName("jdk.internal.loader.RawNativeLibraries", false, null);
                ffmLoad = raw.getDeclaredMethod("load", String.class);
                ffmLoad.setAccessible(true);
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
    Object load(String route, Object loader, Class<?> from, String name) {
        try {
            return route.equals("jni") ? jniLoad.invoke(loader, from, name, Boolean.FALSE) : ffmLoad.invoke(loader, name);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

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
