package dev.profguard.it.app;

/**
 * A running application for the health tests: loads the library named in its arguments (if
 * any, reporting a refusal instead of failing), prints its marker, then waits for a line on
 * stdin or 60 s. The argument "suspend-watcher" instead suspends the guard's watcher thread
 * (Thread.suspend, JDK 17 to 19), as hostile code can, and prints SUSPENDED.
 */
public final class ServeApp {
    private ServeApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String library : args) {
            if (library.equals("suspend-watcher")) {
                suspendWatcher();
                continue;
            }
            try {
                System.load(library);
                System.out.println("LOADED " + library);
            } catch (UnsatisfiedLinkError e) {
                System.out.println("REFUSED " + library);
            }
        }
        SleepingApp.main(new String[0]);
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void suspendWatcher() throws InterruptedException {
        Thread.sleep(1000); // a few ticks first
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("profguard-watcher")) {
                thread.suspend();
                System.out.println("SUSPENDED");
            }
        }
    }
}
