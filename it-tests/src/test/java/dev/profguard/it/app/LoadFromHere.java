package dev.profguard.it.app;

/** System.load from whichever class loader defined this copy of the class (see {@link TwoLoadersApp}). */
public final class LoadFromHere {
    private LoadFromHere() {
    }

    public static void load(String path) {
        System.load(path);
    }
}
