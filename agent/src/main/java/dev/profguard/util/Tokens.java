package dev.profguard.util;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * An environment block as the kernel keeps it ({@code /proc/PID/environ}: NUL-separated
     * NAME=value entries), the first entry of a name winning, as getenv does.
     */
    public static Map<String, String> environment(byte[] block) {
        Map<String, String> env = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= block.length; i++) {
            if (i == block.length || block[i] == 0) {
                String entry = new String(block, start, i - start, StandardCharsets.UTF_8);
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return env;
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

    /** NUL-separated strings, as in environ and cmdline. */
    public static List<String> nulSeparated(byte[] bytes) {
        List<String> items = new ArrayList<>();
        int length = bytes.length;
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || bytes[i] == 0) {
                if (i > start) {
                    items.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return items;
    }
}
