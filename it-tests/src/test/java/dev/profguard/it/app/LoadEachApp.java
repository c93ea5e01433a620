package dev.profguard.it.app;

/**
 * Loads each library named on its command line with {@code System.load}, in order, and prints
 * {@code LOADED PATH} or {@code FAILED PATH: message} for each: a JNI library whose
 * {@code JNI_OnLoad} wants classes this application does not have fails after the load, which is
 * still a load the gate let through.
 */
public final class LoadEachApp {
    private LoadEachApp() {
    }

    public static void main(String[] args) {
        System.out.println(HelloApp.MARKER);
        for (String path : args) {
            try {
                System.load(path);
                System.out.println("LOADED " + path);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                System.out.println("FAILED " + path + ": " + e.getMessage());
            }
        }
    }
}
