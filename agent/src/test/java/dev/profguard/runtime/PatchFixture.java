package dev.profguard.runtime;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Methods shaped like the JDK's load methods, with what makes inserting code at their entry hard:
 * a loop back to offset 0, a switch (alignment), a handler (exception table), locals, no branch at
 * all (no stack map). The tests patch this class file, load it in a verifying class loader and
 * call it.
 */
public class PatchFixture {
    public String trace = "";

    /** Like NativeLibraries.loadLibrary(Class, String, boolean): branches, a switch and a handler. */
    String loadLibrary(Class<?> from, String name, boolean builtin) {
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
        trace += sum + "," + from.getSimpleName() + (builtin ? ",builtin" : "");
        return "ran";
    }

    /** With a loop at the very top: a branch back to offset 0. */
    String loadLibrary(Class<?> from, String name) {
        do {
            trace += name.length();
        } while (trace.length() < 3);
        return "looped";
    }

    /** Like RawNativeLibraries.load(String): no branch, no stack map. */
    String load(String file) {
        trace += "string " + file.length();
        return "loaded";
    }

    /** Not a target: static. */
    static String loadLibrary(Class<?> from, String name, int flags) {
        return name;
    }

    @Target(ElementType.TYPE_USE)
    @Retention(RetentionPolicy.RUNTIME)
    @interface Tag {
    }

    /** A class whose load carries a type annotation inside its code: EntryPatch declines it. */
    public static class Annotated {
        public String trace = "";

        String load(String name) {
            Object value = name;
            trace += ((@Tag String) value).length();
            return "annotated";
        }
    }
}
