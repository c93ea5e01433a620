package dev.profguard.act;

/**
 * Ends the JVM deliberately. An exception escaping {@code premain} would abort the JVM with a
 * native stack and status 134 (see shared/docs/jdk-facts.md), so a refusal is always an exit.
 */
public final class Exit {
    /** Exit status of a malformed option. */
    public static final int BAD_OPTION = 64;

    private Exit() {
    }

    public static void now(int status) {
        System.out.flush();
        System.err.flush();
        try {
            System.exit(status);
        } catch (Throwable t) {
            // A SecurityManager or a shutdown already under way: exit all the same.
            Runtime.getRuntime().halt(status);
        }
    }
}
