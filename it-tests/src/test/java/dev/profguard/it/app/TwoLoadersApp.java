package dev.profguard.it.app;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * Loads the library at args[0] from two class loaders of its own, each with its own copy of
 * {@link LoadFromHere}: the second load fails with the JDK's "already loaded in another
 * classloader", printed as "SECOND: message".
 */
public final class TwoLoadersApp {
    private TwoLoadersApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        URL classes = TwoLoadersApp.class.getProtectionDomain().getCodeSource().getLocation();
        for (String which : new String[]{"FIRST", "SECOND"}) {
            try (URLClassLoader loader = new URLClassLoader(new URL[]{classes}, ClassLoader.getPlatformClassLoader())) {
                Class<?> copy = loader.loadClass(LoadFromHere.class.getName());
                try {
                    copy.getMethod("load", String.class).invoke(null, args[0]);
                    System.out.println(which + ": LOADED");
                } catch (java.lang.reflect.InvocationTargetException e) {
                    System.out.println(which + ": " + e.getCause().getMessage());
                }
            }
        }
    }
}
