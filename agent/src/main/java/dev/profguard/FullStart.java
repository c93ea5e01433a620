package dev.profguard;

import dev.profguard.act.Actions;
import dev.profguard.act.Neutralizer;
import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.config.ProbeMode;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProcFs;
import dev.profguard.detect.Scanner;
import dev.profguard.log.StartNotes;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;
import dev.profguard.runtime.AttachPosture;
import dev.profguard.runtime.RuntimeGuard;
import dev.profguard.runtime.Watcher;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * The start with the whole evidence ladder: without the probe, with a rules file, or when the
 * probe's first look saw something. Scan, decide, act, then what guards the JVM from now on.
 */
final class FullStart {
    private FullStart() {
    }

    /** @param probeProblem why the probe is not loaded, or null */
    static void start(Instrumentation instrumentation, Config config, RuleSet rules, Probe probe, String probeProblem,
                      StateListener health, boolean atStartup) {
        StartNotes.environmentChange(config); // before any verdict: a refusal exits
        ProcFs view = ProcFs.guarded(probe, config.startEnvironment());
        List<LoadedObject> inspected = new ArrayList<>();
        List<MappedObject> mapped = new ArrayList<>();
        Verdict verdict = Policy.decide(new Scanner(rules, probe).scan(view, inspected, mapped), Surface.START, config);
        Evidence evidence = new Evidence(rules, probe);
        if (verdict.outcome() == Outcome.NEUTRALIZE) {
            verdict = Neutralizer.switchOff(verdict, probe, probeProblem, view, evidence, config, "action=neutralize");
        }
        Actions.apply(verdict, config, atStartup, view, evidence, probe, health);
        String gateProblem = RuntimeGuard.install(instrumentation, config, rules, probe, health);
        if (gateProblem != null) {
            Actions.warnGateMissing(gateProblem, config);
        }
        RuntimeGuard.lookAfterLoads(Watcher.start(config, rules, probe, view, health, probe == null ? null : inspected,
                mapped.isEmpty() ? null : mapped, verdict));
        if (atStartup && config.attachApplies()) {
            AttachPosture.check(config, probe);
        }
        if (config.logLevel().equals("info")) {
            StartNotes.started(config, config.probe() == ProbeMode.OFF ? "off (probe=off)"
                    : probe != null ? "loaded" : "not loaded (" + probeProblem + ")", gateProblem,
                    AttachPosture.describe(probe, Runtime.version().feature()));
        }
    }
}
