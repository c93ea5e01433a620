package dev.profguard.probe;

import java.io.File;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Loads the probe library through {@code ClassLoader.loadLibrary(Class, File)}, the JDK's own
 * path behind {@code System.load} minus its JEP 472 caller check (which would print a warning on
 * JDK 24+ and throw under {@code --illegal-native-access=deny}). {@code java.lang} is opened only to
 * a module that holds no application code: the agent's own class loader's (dev.profguard.Agent),
 * where {@link NativeLoader} calls this directly, or else a class loader of this class's own, in
 * which NativeLoader defines it anew.
 *
 * <p>Through a method handle of a private lookup in java.lang, not {@code Method.invoke}: on JDK 18+
 * reflection spins method-handle classes for the call (three LambdaForms, about 2 ms of premain on
 * JDK 25 measured here), where a handle of this shape is served from the JDK's archived forms.
 */
public final class LoadTrampoline {
    private LoadTrampoline() {
    }

    public static void load(Class<?> fromClass, File library) throws ReflectiveOperationException {
        MethodType type = MethodType.methodType(Class.forName("jdk.internal.loader.NativeLibrary", false, null), Class.class,
                File.class);
        MethodHandle loadLibrary = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup())
                .findStatic(ClassLoader.class, "loadLibrary", type);
        Object loaded;
        try {
            loaded = loadLibrary.invoke(fromClass, library);
        } catch (RuntimeException | Error e) {
            throw e; // UnsatisfiedLinkError among them: the library could not be loaded
        } catch (Throwable t) { // it declares none; not InvocationTargetException, which the verifier would load before main
            throw new ReflectiveOperationException("ClassLoader.loadLibrary threw " + t, t);
        }
        if (loaded == null) {
            throw new UnsatisfiedLinkError("could not load " + library);
        }
    }
}
