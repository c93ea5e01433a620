package dev.profguard.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for java.lang.ProfguardBridge in the patch tests: records each call; for a name
 * starting "gate:" it returns a value in place of the method, for "refuse:" it throws, else it
 * lets the method run.
 */
public final class PatchHook {
    public static final List<String> CALLS = new ArrayList<>();

    private PatchHook() {
    }

    public static Object load(String route, Object owner, Class<?> from, String name) {
        CALLS.add(route + "|" + (owner == null ? "null" : owner.getClass().getName().replaceAll(".*[.$]", "")) + "|"
                + (from == null ? "null" : from.getSimpleName()) + "|" + name);
        if (name.startsWith("gate:")) {
            return "returned by the gate";
        }
        if (name.startsWith("refuse:")) {
            throw new UnsatisfiedLinkError("profguard: refused");
        }
        return PatchHook.class;
    }
}
