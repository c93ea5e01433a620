package dev.profguard.runtime;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;

/**
 * Methods shaped like the JDK's load routes, with what makes inserting code at their entry hard:
 * a loop back to offset 0, a switch (alignment), a handler (exception table), locals. The tests
 * patch this class file, load it in a verifying class loader and call it.
 */
public class PatchFixture {
    public String trace = "";

    /** Like Runtime.load0: branches, a switch and a handler. */
    void load0(Class<?> from, String name) {
        int sum = 0;
        for (int i = 0; i < name.length(); i++) {
            sum += name.charAt(i);
        }
        switch (name.length()) {
            case 1 -> trace += "one:";
            case 2 -> trace += "two:";
            case 3 -> trace += "three:";
            case 4 -> trace += "four:";
            default -> trace += "many:";
        }
        try {
            trace += Integer.parseInt(name) + ":";
        } catch (NumberFormatException e) {
            trace += "nan:";
        }
        trace += sum + "," + from.getSimpleName();
    }

    /** Like Runtime.loadLibrary0, with a loop at the very top: a branch back to offset 0. */
    void loadLibrary0(Class<?> from, String name) {
        do {
            trace += name.length();
        } while (trace.length() < 3);
    }

    /** Like RawNativeLibraries.load(Path): no branch, no stack map. */
    boolean load(Path file) {
        trace += "path " + file;
        return true;
    }

    boolean load(String file) {
        trace += "string " + file.length();
        return false;
    }

    /** Not a target: static. */
    static int load0static(Class<?> from, String name) {
        return name.length();
    }

    @Target(ElementType.TYPE_USE)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Tag {
    }

    /** A class whose load0 carries a type annotation inside its code: EntryPatch declines it. */
    public static class Annotated {
        public String trace = "";

        void load0(Class<?> from, String name) {
            Object value = name;
            trace += ((@Tag String) value).length();
        }
    }
}
