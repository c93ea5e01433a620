package dev.profguard.it.app;

/**
 * Loads a native library the way it is told: {@code System.load PATH}, {@code System.loadLibrary
 * NAME}, {@code Runtime.load PATH}, {@code Runtime.loadLibrary NAME}; prints LOADED or REFUSED
 * with the error, then MAIN-RAN-style marker for the test.
 */
public final class LoadApp {
    private LoadApp() {
    }

    public static void main(String[] args) {
        System.out.println(HelloApp.MARKER);
        try {
            switch (args[0]) {
                case "System.load" -> System.load(args[1]);
                case "System.loadLibrary" -> System.loadLibrary(args[1]);
                case "Runtime.load" -> Runtime.getRuntime().load(args[1]);
                case "Runtime.loadLibrary" -> Runtime.getRuntime().loadLibrary(args[1]);
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
