package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one line that tells a user what was found, where, what was done, and what to do. */
public final class Report {
    private Report() {
    }

    /**
     * The one line for a verdict, the same words on every surface.
     *
     * @param subject what was looked at: "this JVM", "this running JVM after start-up", or the
     *                library about to be loaded
     * @param canAct  false when attached to a running JVM: its main already runs, so a refusal is
     *                reported, not carried out
     */
    public static String line(Verdict verdict, Surface surface, Config config, String subject, boolean canAct) {
        List<Finding> findings = verdict.findings();
        Set<String> profilers = new LinkedHashSet<>();
        for (Finding f : findings) {
            if (f.profiler() != null && f.strength() != Strength.UNKNOWN) {
                profilers.add(f.profiler());
            }
        }
        String who = String.join(" and ", profilers);
        Strength top = findings.isEmpty() ? null : findings.get(0).strength();
        StringBuilder line = new StringBuilder();
        if (top == Strength.STRONG) {
            line.append(who).append(" found in ").append(subject).append(' ').append(tag(config)).append(": ");
        } else if (top == Strength.WEAK) {
            line.append("signs of ").append(who).append(" in ").append(subject)
                    .append(", but not its code ").append(tag(config)).append(": ");
        } else {
            line.append("could not complete the check of ").append(subject).append(' ').append(tag(config)).append(": ");
        }
        line.append(evidence(findings)).append(". ");
        String reason = verdict.reason();
        switch (verdict.outcome()) {
            case NEUTRALIZED:
                line.append("It was ").append(reason).append(surface == Surface.START ? ". main runs; remove" : ". Remove")
                        .append(" the client before the next start.");
                break;
            case HALT:
                line.append("Ending this JVM (").append(reason).append("), exit status ").append(config.exitCode())
                        .append(", before the client's own exit code can run; remove the client.");
                break;
            case REFUSE:
                if (surface == Surface.LOAD) {
                    line.append("The load is refused (").append(reason).append("): the library's code did not run. "
                            + "Remove it from the application.");
                } else if (!canAct) {
                    line.append("profguard was attached to a running JVM, whose main already runs: nothing was "
                            + "stopped (").append(reason).append("). Remove the client and restart this JVM.");
                } else {
                    line.append("Refusing to start: main will not run, exit status ").append(config.exitCode())
                            .append(" (").append(reason).append("). ")
                            .append("Remove the client from this JVM (LD_PRELOAD, JNI libraries, agent options) "
                                    + "or run it outside production.");
                }
                break;
            default:
                String goesOn = surface == Surface.LOAD ? "The load goes on" : surface == Surface.LATE ? "It stays active"
                        : "main runs";
                line.append(goesOn).append(" (").append(reason).append(')');
                if (top != Strength.STRONG) {
                    line.append('.');
                } else if (Policy.clientActive(verdict, config)) {
                    line.append("; the guard reports DOWN.");
                } else if (!verdict.findings().get(0).refuses()) {
                    line.append("; a rules file with strength = refuse for its rule keeps it out.");
                } else {
                    line.append("; remove the client before it reaches production.");
                }
        }
        return line.toString();
    }

    private static String tag(Config config) {
        if (config.envTag() == null) {
            return "(no environment tag: not production)";
        }
        return "(env=" + config.envTag() + ", set by " + config.envTagSource() + "; "
                + (config.isProduction() ? "production" : "not production") + ")";
    }

    /** Every finding's evidence, joined; a path's symbols are listed once. */
    public static String evidence(List<Finding> findings) {
        List<String> items = new ArrayList<>();
        Set<String> symbolsShown = new java.util.HashSet<>();
        for (Finding f : findings) {
            boolean first = f.path() == null || f.symbols().isEmpty() || symbolsShown.add(f.path());
            String text = f.evidence(first);
            if (f.strength() != Strength.UNKNOWN && f.variable() == null) {
                text = f.source().label() + " " + text;
            }
            if (!items.contains(text)) {
                items.add(text);
            }
        }
        return String.join("; ", items);
    }

    /** The structured form of the verdict, for {@code log.format=json} and tools. */
    public static List<Map<String, Object>> findings(Verdict verdict) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Finding f : verdict.findings()) {
            list.add(findingMap(f));
        }
        return list;
    }

    /** One finding's structured form. */
    public static Map<String, Object> findingMap(Finding f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", f.rule());
        m.put("profiler", f.profiler());
        m.put("strength", f.strength().name().toLowerCase(java.util.Locale.ROOT));
        m.put("in_production", f.refuses() ? "refuse" : "warn");
        m.put("source", f.source().label());
        m.put("path", f.path());
        m.put("symbols", f.symbols());
        m.put("variable", f.variable());
        m.put("detail", f.detail());
        m.put("evidence", f.evidence());
        return m;
    }
}
