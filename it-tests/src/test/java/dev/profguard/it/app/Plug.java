package dev.profguard.it.app;

/** Loads a native library for whoever defined it: {@link UnloadApp} defines it in a class loader it then drops. */
public final class Plug {
    private Plug() {
    }

    public static void load(String path) {
        System.load(path);
    }
}
