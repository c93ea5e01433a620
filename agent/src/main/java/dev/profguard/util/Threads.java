package dev.profguard.util;

/** Work of the guard's that must not hold up its caller for ever. */
public final class Threads {
    private Threads() {
    }

    /**
     * Runs {@code work} on a daemon thread of its own named {@code name} and waits for it at most
     * {@code millis}: whether it finished. One that did not is left to itself (a daemon, it never
     * keeps the JVM alive). The thread inherits no thread locals: it may be made on the
     * application's thread, whose InheritableThreadLocal.childValue would otherwise run inside the
     * guard (red team, round 9).
     */
    public static boolean runBounded(Runnable work, String name, long millis) {
        Thread thread = new Thread(null, work, name, 0, false);
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
