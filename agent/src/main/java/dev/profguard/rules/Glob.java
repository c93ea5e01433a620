package dev.profguard.rules;

import java.util.List;

/** Case-insensitive {@code *} and {@code ?} matching of file names, without regex. */
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

    /** Iterative matcher with single-star backtracking: linear in practice, never exponential. */
    public static boolean matches(String glob, String name) {
        int g = 0;
        int n = 0;
        int star = -1;
        int mark = 0;
        while (n < name.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || same(glob.charAt(g), name.charAt(n)))) {
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

    private static boolean same(char a, char b) {
        return a == b || Character.toLowerCase(a) == Character.toLowerCase(b);
    }
}
