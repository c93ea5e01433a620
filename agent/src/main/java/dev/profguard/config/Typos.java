package dev.profguard.config;

import java.util.Locale;

/**
 * Which option a mistyped name was meant to be. A class of its own: it is loaded only when a
 * name is unknown, never on a clean start.
 */
final class Typos {
    private Typos() {
    }

    /**
     * The option a mistyped name was probably meant to be: within one edit of a short key, two of
     * a longer one, compared without case; null when none is that close.
     */
    static String nearMiss(String name, boolean variable) {
        String given = name.toUpperCase(Locale.ROOT);
        for (String key : Config.KEYS) {
            String wanted = variable ? Config.variableOf(key).substring(Config.VARIABLE_PREFIX.length())
                    : key.toUpperCase(Locale.ROOT);
            if (editDistance(given, wanted) <= (wanted.length() <= 4 ? 1 : 2)) {
                return key;
            }
        }
        return null;
    }

    /** Levenshtein distance (insert, delete, substitute), two rows. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
