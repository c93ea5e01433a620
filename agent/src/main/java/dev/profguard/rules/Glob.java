package dev.profguard.rules;

import java.util.List;

/**
 * {@code *} and {@code ?} matching without regex: case-insensitive for file names, exact for
 * variable values and JVM arguments.
 */
public final class Glob {
    private Glob() {
    }

    public static boolean anyMatch(List<String> globs, String name) {
        for (String glob : globs) {
            if (matches(glob, name)) {
                return true;
            }
        }
        return false;
    }

    /** Case-insensitive, for file names. */
    public static boolean matches(String glob, String name) {
        return matches(glob, name, true);
    }

    /** Case-sensitive, for variable values and JVM arguments ({@code server=y} is not {@code SERVER=Y}). */
    public static boolean matchesExactly(String glob, String text) {
        return matches(glob, text, false);
    }

    /** Iterative matcher with single-star backtracking: linear in practice, never exponential. */
    private static boolean matches(String glob, String name, boolean anyCase) {
        int g = 0;
        int n = 0;
        int star = -1;
        int mark = 0;
        while (n < name.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || same(glob.charAt(g), name.charAt(n), anyCase))) {
                g++;
                n++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                mark = n;
            } else if (star >= 0) {
                g = star + 1;
                n = ++mark;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    private static boolean same(char a, char b, boolean anyCase) {
        return a == b || anyCase && Character.toLowerCase(a) == Character.toLowerCase(b);
    }
}
