package dev.profguard.detect;

import dev.profguard.rules.Rule;

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
 * @param refuses  the rule's strength: true (refuse) when strong evidence of it is acted on in
 *                 production, false (warn) when the policy only warns about it
 */
public record Finding(String rule, String profiler, Strength strength, Source source, String path,
                      List<String> symbols, String variable, String detail, boolean refuses) {
    /** Rule id of findings about profguard's own checks. */
    public static final String SELF = "profguard";

    public Finding {
        symbols = List.copyOf(symbols);
    }

    /** A check that could not run. */
    public static Finding unknown(Source source, String detail) {
        return new Finding(SELF, null, Strength.UNKNOWN, source, null, List.of(), null, detail, true);
    }

    /** A check of one file that could not run. */
    public static Finding unknown(Source source, String path, String detail) {
        return new Finding(SELF, null, Strength.UNKNOWN, source, path, List.of(), null, detail, true);
    }

    /** The client's code: it defines the rule's symbols, or carries all its marks. */
    public static Finding strong(Rule rule, Source source, String path, List<String> symbols, String detail) {
        return new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, path, symbols, null, detail,
                rule.refuses());
    }

    /** A sign of the client without its code: a name, a zero-filled segment, a variable. */
    public static Finding weak(Rule rule, Source source, String path, String detail) {
        return new Finding(rule.id(), rule.profiler(), Strength.WEAK, source, path, List.of(), null, detail,
                rule.refuses());
    }

    /** One of the rule's environment variables is set. */
    public static Finding variable(Rule rule, String variable, String detail) {
        return new Finding(rule.id(), rule.profiler(), Strength.WEAK, Source.VARIABLE, null, List.of(), variable, detail,
                rule.refuses());
    }

    /** The tool switched on by a variable ({@code variables.match}): strong, or weak when what it needs is not loaded. */
    public static Finding setting(Rule rule, Strength strength, String variable, String detail) {
        return new Finding(rule.id(), rule.profiler(), strength, Source.VARIABLE, null, List.of(), variable, detail,
                rule.refuses());
    }

    /** A JVM argument that switches the tool on ({@code arguments}). */
    public static Finding argument(Rule rule, Source source, String variable, String detail) {
        return new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, null, List.of(), variable, detail,
                rule.refuses());
    }

    /** A process traces this one through ptrace ({@code tracers}). */
    public static Finding tracer(Rule rule, long pid, String comm, String detail) {
        return new Finding(rule.id(), rule.profiler(), Strength.STRONG, Source.TRACER, null, List.of(), null,
                "traced by process " + pid + " (" + comm + ") through ptrace" + detail, rule.refuses());
    }

    /** The same evidence, as the variable that names the file puts it (LD_PRELOAD=...). */
    public Finding namedBy(String name) {
        return new Finding(rule, profiler, strength, source, path, symbols, name, detail, refuses);
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
