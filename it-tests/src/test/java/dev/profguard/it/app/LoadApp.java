package dev.profguard.it.app;

/**
 * Loads a native library the way it is told: {@code System.load PATH}, {@code System.loadLibrary
 * NAME}, {@code Runtime.load PATH}, {@code Runtime.loadLibrary NAME}, {@code load-replace-reload PATH
 * REPLACEMENT} (load, copy REPLACEMENT over PATH, load again), {@code load-then-pause PATH} (load, then
 * stay a minute), {@code load-then-wait PATH MILLIS}, {@code load-delete-wait PATH MILLIS}; prints LOADED or REFUSED
 * with the error, then MAIN-RAN-style marker for the test.
 */
public final class LoadApp {
    private LoadApp() {
    }

    public static void main(String[] args) throws java.io.IOException, InterruptedException {
        System.out.println(HelloApp.MARKER);
        try {
            switch (args[0]) {
                case "System.load" -> System.load(args[1]);
                case "System.loadLibrary" -> System.loadLibrary(args[1]);
                case "Runtime.load" -> Runtime.getRuntime().load(args[1]);
                case "Runtime.loadLibrary" -> Runtime.getRuntime().loadLibrary(args[1]);
                case "load-replace-reload" -> { // PATH REPLACEMENT: load, put REPLACEMENT at PATH, load again
                    System.load(args[1]);
                    System.out.println("LOADED");
                    java.nio.file.Files.copy(java.nio.file.Path.of(args[2]), java.nio.file.Path.of(args[1]),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    System.load(args[1]);
                }
                case "load-delete-wait" -> { // PATH MILLIS: load it, delete its file (as netty does), then stay MILLIS
                    System.load(args[1]);
                    java.nio.file.Files.delete(java.nio.file.Path.of(args[1]));
                    Thread.sleep(Long.parseLong(args[2]));
                }
                case "load-then-wait" -> { // PATH MILLIS: load it, then stay MILLIS (some watcher ticks)
                    System.load(args[1]);
                    Thread.sleep(Long.parseLong(args[2]));
                }
                case "load-then-pause" -> { // PATH: load it, say so, and stay a minute (the watcher's tick)
                    System.load(args[1]);
                    System.out.println("LOADED");
                    Thread.sleep(60_000);
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
