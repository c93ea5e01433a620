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

    /** Until a capture file (*.MTuner) in the working directory holds data, at most 10 s; then 200 ms (its writer returns). */
    private static void waitForCapture() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            java.io.File[] found = new java.io.File(".").listFiles((dir, name) -> name.endsWith(".MTuner"));
            boolean written = false;
            for (java.io.File file : found == null ? new java.io.File[0] : found) {
                written |= file.length() > 5; // more than a decoy's header
            }
            if (written) {
                break;
            }
            Thread.sleep(10);
        }
        Thread.sleep(200);
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
                case "load-cycle-load" -> { // HELPER SECOND: load HELPER, create its trigger, wait for the
                    // capture file its thread's client writes, then load SECOND
                    System.load(args[1]);
                    java.nio.file.Files.createFile(java.nio.file.Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
                    waitForCapture();
                    System.load(args[2]);
                }
                case "load-preseen" -> { // HELPER MILLIS: load HELPER, make every capture file name of the
                    // next two minutes, empty and dated 1970, stay MILLIS (capture looks), then trigger
                    // HELPER's thread and wait for what its client writes
                    System.load(args[1]);
                    long now = System.currentTimeMillis() / 1000;
                    for (long t = now - 2; t < now + 120; t++) {
                        java.io.File made = new java.io.File("mtuner_capture_" + t + ".MTuner");
                        made.createNewFile();
                        made.setLastModified(1000);
                    }
                    Thread.sleep(Long.parseLong(args[2]));
                    java.nio.file.Files.createFile(java.nio.file.Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
                    waitForCapture();
                    Thread.sleep(700); // more ticks, capture looks among them
                }
                case "load-linked" -> { // HELPER DIR: load HELPER, put symbolic links under every capture
                    // file name of the next two minutes to DIR/<second>.bin, trigger, wait for the data
                    System.load(args[1]);
                    long now = System.currentTimeMillis() / 1000;
                    for (long t = now - 2; t < now + 120; t++) {
                        java.nio.file.Files.createSymbolicLink(java.nio.file.Path.of("mtuner_capture_" + t + ".MTuner"),
                                java.nio.file.Path.of(args[2], t + ".bin"));
                    }
                    java.nio.file.Files.createFile(java.nio.file.Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
                    waitForCapture();
                    Thread.sleep(700);
                }
                case "load-decoy" -> { // HELPER MILLIS: load HELPER, write a five-byte decoy with the capture
                    // header under every capture file name of the next two minutes, stay MILLIS (the decoys
                    // reported and deleted), then trigger and wait for the client's capture
                    System.load(args[1]);
                    long now = System.currentTimeMillis() / 1000;
                    for (long t = now - 2; t < now + 120; t++) {
                        java.nio.file.Files.write(java.nio.file.Path.of("mtuner_capture_" + t + ".MTuner"),
                                new byte[] {0x00, 0x40, 0x01, 0x02, 0x02});
                    }
                    Thread.sleep(Long.parseLong(args[2]));
                    java.nio.file.Files.createFile(java.nio.file.Path.of(System.getenv("LATE_DLOPEN_TRIGGER")));
                    waitForCapture();
                    Thread.sleep(700);
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
