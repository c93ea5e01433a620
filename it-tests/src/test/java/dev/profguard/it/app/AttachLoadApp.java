package dev.profguard.it.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Prints its marker, waits for a line on stdin, then System.load(args[0]): LOADED or REFUSED. */
public final class AttachLoadApp {
    private AttachLoadApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        try {
            System.load(args[0]);
            System.out.println("LOADED");
        } catch (UnsatisfiedLinkError e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
