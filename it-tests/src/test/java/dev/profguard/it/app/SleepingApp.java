package dev.profguard.it.app;

/** A running application to attach to: prints its marker, then waits for a line on stdin or 60 s. */
public final class SleepingApp {
    private SleepingApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        System.out.flush();
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end && System.in.available() == 0) {
            Thread.sleep(50);
        }
        System.out.println("STILL-RUNNING");
    }
}
