package dev.profguard.policy;

import dev.profguard.detect.Finding;

import java.util.List;

/**
 * The decision about one JVM.
 *
 * @param outcome  what happens
 * @param findings what it rests on, strongest first
 * @param reason   why, in a few words, e.g. "action=neutralize is not available in this build"
 */
public record Verdict(Outcome outcome, List<Finding> findings, String reason) {
    public Verdict {
        findings = List.copyOf(findings);
    }
}
