package dev.profguard.it.app;

/**
 * Prints its marker, creates the file named by LATE_DLOPEN_TRIGGER if set (a test library loads
 * its client once it appears), pauses for the given milliseconds (default 3000), prints MAIN-DONE.
 */
public final class PauseApp {
    public static final String DONE = "MAIN-DONE";

    private PauseApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println(HelloApp.MARKER);
        String trigger = System.getenv("LATE_DLOPEN_TRIGGER");
        if (trigger != null) {
            try {
                java.nio.file.Files.createFile(java.nio.file.Path.of(trigger));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        Thread.sleep(args.length > 0 ? Long.parseLong(args[0]) : 3000);
        System.out.println(DONE);
    }
}
