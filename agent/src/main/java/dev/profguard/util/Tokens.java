package dev.profguard.util;

import java.util.ArrayList;
import java.util.List;

/** Splitting without regex: java.util.regex costs class loading on the path to main. */
public final class Tokens {
    /** White space as the rules format and ld.so's LD_PRELOAD understand it. */
    public static final String WHITESPACE = " \t\n\r\f";

    private Tokens() {
    }

    /** The pieces between any of {@code separators}, empty ones included. */
    public static List<String> split(String text, String separators) {
        List<String> items = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (separators.indexOf(text.charAt(i)) >= 0) {
                items.add(text.substring(start, i));
                start = i + 1;
            }
        }
        items.add(text.substring(start));
        return items;
    }

    /** The non-empty pieces between any of {@code separators}. */
    public static List<String> words(String text, String separators) {
        List<String> words = new ArrayList<>();
        for (String item : split(text, separators)) {
            if (!item.isEmpty()) {
                words.add(item);
            }
        }
        return words;
    }
}
