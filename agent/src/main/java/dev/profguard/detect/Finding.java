package dev.profguard.detect;

import java.util.List;

/**
 * One thing a detector saw.
 *
 * @param rule     the rule that matched, or "profguard" for a check that could not run
 * @param profiler the profiler the rule describes, or null
 * @param strength how sure it is
 * @param source   where it was seen
 * @param path     the file concerned, or null
 * @param symbols  the client symbols the file defines, empty if none
 * @param variable the environment variable concerned, or null
 * @param detail   the rest of the evidence in a few words, e.g. "executable mapping"
 */
public record Finding(String rule, String profiler, Strength strength, Source source, String path,
                      List<String> symbols, String variable, String detail) {
    /** Rule id of findings about profguard's own checks. */
    public static final String SELF = "profguard";

    public Finding {
        symbols = List.copyOf(symbols);
    }

    /** A check that could not run. */
    public static Finding unknown(Source source, String detail) {
        return new Finding(SELF, null, Strength.UNKNOWN, source, null, List.of(), null, detail);
    }

    /** The evidence in one phrase, e.g. "/opt/lib/libz2.so defines rmemInit, rmemFree (LD_PRELOAD)". */
    public String evidence() {
        return evidence(true);
    }

    /** The evidence, without the symbol list when another phrase already gave it for this path. */
    public String evidence(boolean withSymbols) {
        StringBuilder text = new StringBuilder();
        if (variable != null) {
            text.append(variable);
            if (path != null) {
                text.append('=').append(path);
            }
        } else if (path != null) {
            text.append(path);
        }
        if (withSymbols && !symbols.isEmpty()) {
            text.append(text.length() > 0 ? " " : "").append("defines ");
            int shown = Math.min(symbols.size(), 4);
            text.append(String.join(", ", symbols.subList(0, shown)));
            if (symbols.size() > shown) {
                text.append(" (+").append(symbols.size() - shown).append(" more)");
            }
        }
        if (detail != null && !detail.isEmpty()) {
            text.append(text.length() > 0 ? " (" + detail + ")" : detail);
        }
        return text.toString();
    }
}
