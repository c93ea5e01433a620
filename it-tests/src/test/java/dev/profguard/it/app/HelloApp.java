package dev.profguard.it.app;

/** The guarded application: proves that main ran by printing a marker. */
public final class HelloApp {
    public static final String MARKER = "MAIN-RAN";

    private HelloApp() {
    }

    public static void main(String[] args) {
        System.out.println(MARKER);
    }
}
