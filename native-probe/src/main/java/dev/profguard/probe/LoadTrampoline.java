package dev.profguard.probe;

import java.io.File;
import java.lang.reflect.Method;

/**
 * Loads the probe library through {@code ClassLoader.loadLibrary(Class, File)}, the JDK's own
 * path behind {@code System.load} minus its JEP 472 caller check (which would print a warning on
 * JDK 24+ and throw under {@code --illegal-native-access=deny}). {@code java.lang} is opened only to
 * a module that holds no application code: the agent's own class loader's (dev.profguard.AgentLoader),
 * where {@link NativeLoader} calls this directly, or else a class loader of this class's own, in
 * which NativeLoader defines it anew.
 */
public final class LoadTrampoline {
    private LoadTrampoline() {
    }

    public static void load(Class<?> fromClass, File library) throws ReflectiveOperationException {
        Method loadLibrary = ClassLoader.class.getDeclaredMethod("loadLibrary", Class.class, File.class);
        loadLibrary.setAccessible(true);
        if (loadLibrary.invoke(null, fromClass, library) == null) {
            throw new UnsatisfiedLinkError("could not load " + library);
        }
    }
}
