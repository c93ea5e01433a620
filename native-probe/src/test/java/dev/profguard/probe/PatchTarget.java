package dev.profguard.probe;

/**
 * A class file for the native patch's C tests (probe_test.c, test_entry_patch), shaped like the
 * JDK loaders it patches: an instance loadLibrary(Class, String, boolean) with branches, a switch
 * and a handler, a load(String), and a static loadLibrary the patch must leave alone.
 */
@SuppressWarnings("unused")
final class PatchTarget {
    private String trace = "";

    Object loadLibrary(Class<?> caller, String name, boolean builtin) {
        try {
            switch (name.length()) {
                case 1: trace += "one"; break;
                case 2: trace += "two"; break;
                default: trace += Integer.parseInt(name);
            }
        } catch (NumberFormatException e) {
            trace += "nan";
        }
        for (int i = 0; i < name.length() && builtin; i++) {
            trace += i;
        }
        return caller == null ? null : caller.getName() + trace;
    }

    String load(String name) {
        return name.trim();
    }

    /** Neither (Class, String, ...) nor (String): a target of this shape is declined. */
    Object unload(Object library) {
        return library;
    }

    /** (String), but not returning an object: declined too. */
    int count(String name) {
        return name.length();
    }

    static Object loadLibrary(Class<?> caller, String name) {
        return name;
    }
}
