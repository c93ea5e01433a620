package dev.profguard.runtime;

import java.util.ArrayList;
import java.util.List;

/** Stands in for java.lang.ProfguardBridge in the patch tests: records each call. */
public final class PatchHook {
    public static final List<String> CALLS = new ArrayList<>();

    private PatchHook() {
    }

    public static void check(String route, Class<?> from, String name) {
        CALLS.add(route + "|" + (from == null ? "null" : from.getSimpleName()) + "|" + name);
    }
}
