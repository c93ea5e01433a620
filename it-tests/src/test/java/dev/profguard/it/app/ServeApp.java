package dev.profguard.it.app;

/**
 * A running application for the health tests: loads the library named in its arguments (if
 * any, reporting a refusal instead of failing), prints its marker, then waits for a line on
 * stdin or 60 s.
 */
public final class ServeApp {
    private ServeApp() {
    }

    public static void main(String[] args) throws Exception {
        for (String library : args) {
            try {
                System.load(library);
                System.out.println("LOADED " + library);
            } catch (UnsatisfiedLinkError e) {
                System.out.println("REFUSED " + library);
            }
        }
        SleepingApp.main(new String[0]);
    }
}
