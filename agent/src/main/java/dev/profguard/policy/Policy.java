package dev.profguard.policy;

import dev.profguard.config.Action;
import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;

import java.util.ArrayList;
import java.util.List;

/**
 * Strong evidence (the client's code loaded, its capture file open) is refused in a production
 * JVM unless {@code action=warn}; everything else is warned about. A check that could not run is
 * warned about, never silently passed over and never a refusal on its own.
 */
public final class Policy {
    private Policy() {
    }

    public static Verdict decide(List<Finding> findings, Config config) {
        if (findings.isEmpty()) {
            return new Verdict(Outcome.ALLOW, findings, "nothing found");
        }
        List<Finding> sorted = new ArrayList<>(findings.size());
        for (Strength strength : Strength.values()) { // strongest first, stable within a strength
            for (Finding finding : findings) {
                if (finding.strength() == strength) {
                    sorted.add(finding);
                }
            }
        }
        Strength strongest = sorted.get(0).strength();
        if (strongest != Strength.STRONG) {
            return new Verdict(Outcome.WARN, sorted,
                    strongest == Strength.UNKNOWN ? "a check could not run" : "weak evidence only");
        }
        if (!config.isProduction()) {
            return new Verdict(Outcome.WARN, sorted, "not a production JVM");
        }
        if (config.action() == Action.WARN) {
            return new Verdict(Outcome.WARN, sorted, "action=warn");
        }
        if (config.action() == Action.NEUTRALIZE) {
            return new Verdict(Outcome.NEUTRALIZE, sorted, "action=neutralize");
        }
        return new Verdict(Outcome.REFUSE, sorted, "action=refuse");
    }
}
