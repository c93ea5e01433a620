package dev.profguard.it.app;

import java.lang.instrument.Instrumentation;

/**
 * An agent started before profguard that loads FFM's library loader
 * (jdk.internal.loader.RawNativeLibraries, JDK 18+), as an agent that uses FFM in its premain
 * would: the gate then finds it loaded, and must redefine it. Prints FFM LOADER LOADED.
 */
public final class FfmLoaderAgent {
    private FfmLoaderAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) throws Exception {
        Class.forName("jdk.internal.loader.RawNativeLibraries", true, null);
        System.out.println("FFM LOADER LOADED");
    }
}
