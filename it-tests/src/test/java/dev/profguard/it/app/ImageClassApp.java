package dev.profguard.it.app;

import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;

import java.io.InputStream;
import java.util.Arrays;

/**
 * The probe's read of the runtime image against the JDK's own (jrt): prints "SAME" when
 * java.lang.Object's class file read by each is the same bytes, "MISSING null" for a class that
 * is not there, and "NEVER-REDEFINED true" for Object. Started with the agent's probe=off.
 */
public final class ImageClassApp {
    private ImageClassApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        Probe probe = NativeLoader.load(null);
        byte[] viaProbe = probe.imageClass("java.base", "java/lang/Object");
        byte[] viaJrt;
        try (InputStream in = Object.class.getResourceAsStream("Object.class")) {
            viaJrt = in.readAllBytes();
        }
        System.out.println(Arrays.equals(viaProbe, viaJrt) ? "SAME" : "DIFFERENT " + (viaProbe == null ? -1 : viaProbe.length)
                + " " + viaJrt.length);
        System.out.println("MISSING " + probe.imageClass("java.base", "java/lang/NoSuchClassAnywhere"));
        System.out.println("NEVER-REDEFINED " + probe.neverRedefined(Object.class));
    }
}
