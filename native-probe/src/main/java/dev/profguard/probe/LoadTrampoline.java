package dev.profguard.probe;

import java.io.File;
import java.lang.reflect.Method;

/**
 * Loads the probe library through {@code ClassLoader.loadLibrary(Class, File)}, the JDK's own
 * path behind {@code System.load} minus its JEP 472 caller check (which would print a warning on
 * JDK 24+ and throw under {@code --illegal-native-access=deny}). {@link NativeLoader} defines this
 * class in a class loader of its own, whose unnamed module is the only one {@code java.lang} is
 * opened to: the application's class path code gains no access to {@code java.lang} internals.
 */
public final class LoadTrampoline {
    private LoadTrampoline() {
    }

    public static void load(Class<?> fromClass, File library) throws Exception {
        Method loadLibrary = ClassLoader.class.getDeclaredMethod("loadLibrary", Class.class, File.class);
        loadLibrary.setAccessible(true);
        if (loadLibrary.invoke(null, fromClass, library) == null) {
            throw new UnsatisfiedLinkError("could not load " + library);
        }
    }
}
