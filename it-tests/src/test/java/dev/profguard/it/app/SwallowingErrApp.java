package dev.profguard.it.app;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Replaces System.err with a stream of its own, which swallows what is written to it and, at its
 * first write, tries to load the library at args[0] from inside that write ("NESTED LOADED" or
 * "NESTED REFUSED" on stdout); then loads args[0] itself (LoadApp's LOADED or REFUSED). A guard
 * that logs through System.err would be silenced, and would run this code inside its judgement.
 */
public final class SwallowingErrApp {
    private SwallowingErrApp() {
    }

    public static void main(String[] args) {
        System.out.println(HelloApp.MARKER);
        boolean[] tried = {false};
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (!tried[0]) {
                    tried[0] = true;
                    try {
                        System.load(args[0]);
                        System.out.println("NESTED LOADED");
                    } catch (UnsatisfiedLinkError e) {
                        System.out.println("NESTED REFUSED " + e.getMessage());
                    }
                }
            }
        }, true));
        try {
            System.load(args[0]);
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
