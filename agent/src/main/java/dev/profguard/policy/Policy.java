package dev.profguard.policy;

import dev.profguard.config.Action;
import dev.profguard.config.Config;
import dev.profguard.config.RuntimeAction;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that decides, for every surface. Strong evidence (the client's code, its capture
 * data) in a production JVM is acted on per {@code action} (start-up, a load) or
 * {@code runtime.action} (after start-up); outside production nothing is refused, switched off or
 * turned DOWN: one WARN says what was found and what production would do. Weak evidence, strong
 * evidence of a rule of strength warn, and checks that could not run are warned about, never
 * acted on. No other class compares
 * {@code isProduction()} or the actions.
 */
public final class Policy {
    private Policy() {
    }

    public static Verdict decide(List<Finding> findings, Surface surface, Config config) {
        if (findings.isEmpty()) {
            return new Verdict(Outcome.ALLOW, findings, "nothing found");
        }
        List<Finding> sorted = strongestFirst(findings);
        Strength strongest = sorted.get(0).strength();
        if (strongest != Strength.STRONG) {
            return new Verdict(Outcome.WARN, sorted,
                    strongest == Strength.UNKNOWN ? "a check could not run" : "weak evidence only");
        }
        if (!refusing(sorted)) { // every strong finding is of a rule of strength warn
            return new Verdict(Outcome.WARN, sorted, config.isProduction() || surface == Surface.SCAN
                    ? "strength=warn: warned about, never refused" : "not a production JVM; strength=warn: warned about in production too");
        }
        if (surface == Surface.SCAN) {
            return new Verdict(Outcome.REFUSE, sorted, "found in a file");
        }
        Outcome inProduction = inProduction(surface, config);
        if (!config.isProduction()) {
            return new Verdict(Outcome.WARN, sorted, "not a production JVM; in production: " + wouldDo(inProduction, surface));
        }
        return new Verdict(inProduction, sorted, reason(surface, config));
    }

    /** What a production JVM does with strong evidence on that surface. */
    private static Outcome inProduction(Surface surface, Config config) {
        if (surface == Surface.LATE) {
            RuntimeAction action = config.runtimeAction();
            return action == RuntimeAction.HALT ? Outcome.HALT
                    : action == RuntimeAction.NEUTRALIZE ? Outcome.NEUTRALIZE : Outcome.WARN;
        }
        Action action = config.action();
        if (action == Action.WARN) {
            return Outcome.WARN;
        }
        if (surface == Surface.LOAD) {
            return Outcome.REFUSE; // a library not yet loaded is kept out, never loaded then switched off
        }
        return action == Action.NEUTRALIZE ? Outcome.NEUTRALIZE : Outcome.REFUSE;
    }

    private static String reason(Surface surface, Config config) {
        return surface == Surface.LATE ? "runtime.action=" + config.runtimeAction().word() : "action=" + config.action().word();
    }

    private static String wouldDo(Outcome outcome, Surface surface) {
        switch (outcome) {
            case REFUSE:
                return surface == Surface.LOAD ? "the load would be refused" : "the JVM would be refused";
            case NEUTRALIZE:
                return "the client would be switched off";
            case HALT:
                return "the JVM would be ended";
            default:
                return "a warning, as here";
        }
    }

    /**
     * Whether health reports DOWN, for a verdict about this JVM (start-up, after start-up): this
     * production JVM holds a client that was not switched off, whatever the action let happen
     * (warned about, or the JVM ending because of it). A client allowed outside production leaves
     * health UP, with the finding listed.
     */
    public static boolean clientActive(Verdict verdict, Config config) {
        return config.isProduction() && refusing(verdict.findings()) && verdict.outcome() != Outcome.NEUTRALIZED;
    }

    /** Whether any strong finding is of a rule of strength refuse. */
    private static boolean refusing(List<Finding> findings) {
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG && finding.refuses()) {
                return true;
            }
        }
        return false;
    }

    private static List<Finding> strongestFirst(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings.size());
        for (Strength strength : Strength.values()) { // stable within a strength
            for (Finding finding : findings) {
                if (finding.strength() == strength) {
                    sorted.add(finding);
                }
            }
        }
        return sorted;
    }
}
