package dev.profguard;

import dev.profguard.act.Actions;
import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.config.ConfigException;
import dev.profguard.config.LogFormat;
import dev.profguard.health.Health;
import dev.profguard.log.Logs;
import dev.profguard.log.StartNotes;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;
import dev.profguard.probe.ProbeUnavailableException;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;
import dev.profguard.runtime.AttachPosture;
import dev.profguard.runtime.RuntimeGuard;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.function.Consumer;

/**
 * The start-up flow: options, probe, the probe's first look, then either what guards a clean JVM
 * or the full scan ({@link FullStart}). Nothing escapes it but the documented exits. Everything
 * here runs on every start: what only a finding needs is not named in this class, since the
 * JVM's verifier would load it.
 */
final class Guard implements Consumer<Object[]> {
    static {
        // Loaded by an Agent loader: this registers the entry it calls (no reflective call, which on
        // JDK 18+ spins method-handle classes before main). Elsewhere the registration is ignored.
        Agent.register(new Guard());
    }

    private Guard() {
    }

    /** The Agent loader's call: {agent arguments, Instrumentation, at start-up (premain) or attached later}. */
    @Override
    public void accept(Object[] call) {
        start((String) call[0], (Instrumentation) call[1], (Boolean) call[2]);
    }

    static void start(String args, Instrumentation instrumentation, boolean atStartup) {
        try {
            Config config;
            RuleSet rules = null;
            try {
                config = Config.forThisJvm(args);
            } catch (Exception e) { // not catch (ConfigException): verifying that would load it at every start
                if (!(e instanceof ConfigException)) {
                    throw e;
                }
                Actions.refuseBadOption((ConfigException) e, ((ConfigException) e).logFormat());
                return;
            }
            if (!config.warnings().isEmpty()) {
                StartNotes.warnings(config);
            }
            if (!config.enabled()) {
                StartNotes.environmentChange(config);
                String line = StartNotes.disabled(config);
                if (config.publishesHealth()) {
                    Health.startDisabled(config, line);
                }
                return;
            }
            // The built-in rules alone are null here, and RuleSet is not loaded: the probe's first
            // look has the build's copy of them, and what runs after a clean start makes them at
            // its first use (RuleSet.orBuiltIn).
            if (config.rulesFile() != null) {
                try {
                    rules = RuleSet.load(config.rulesFile());
                } catch (Exception e) { // RulesException, caught so for the same reason
                    if (!(e instanceof RulesException)) {
                        throw e;
                    }
                    Actions.refuseBadOption(new ConfigException("invalid option rules: " + e.getMessage()), config.logFormat());
                    return;
                }
            }
            // Health (endpoint, status file, MXBean, metrics) only when an option asks for it.
            StateListener health = config.publishesHealth() ? Health.start(config) : null;
            Probe probe = null;
            String probeProblem = null;
            if (!config.probeOff()) {
                try {
                    probe = NativeLoader.load(instrumentation, config.probeDir(), Agent.ownJar(Guard.class));
                } catch (Exception | LinkageError e) { // ProbeUnavailableException among them
                    probeProblem = e instanceof ProbeUnavailableException ? e.getMessage() : String.valueOf(e);
                    // probe=required at start-up exits inside; attached late, the rest still runs
                    Actions.probeUnavailable(probeProblem, config, atStartup);
                }
            }
            if (probe != null && rules == null) {
                // Before the look: what loads meanwhile is new to the watcher. The change count first,
                // so that anything the list holds was loaded before it, and seen by the look.
                long count = probe.changeCount();
                byte[] baseline = probe.loadedObjectsRaw();
                if (RuntimeGuard.firstLookIsClean(probe, false)) {
                    startClean(instrumentation, config, rules, probe, health, baseline, count, atStartup);
                    return;
                }
            }
            FullStart.start(instrumentation, config, RuleSet.orBuiltIn(rules), probe, probeProblem, health, atStartup);
        } catch (Throwable t) {
            if (Agent.ownClassFailure(t)) { // a class of ours its jar cannot give: not a bug, a damaged install
                Agent.damaged(t, atStartup);
                return;
            }
            // A bug of ours must not take the application down with it; say so loudly.
            try {
                Logs.get(LogFormat.TEXT).error("internal error, the guard is not active in this JVM: {}. "
                        + "main runs; please report this.", String.valueOf(t));
            } catch (Throwable ignored) {
                System.err.println("profguard: ERROR internal error, the guard is not active in this JVM: " + t);
            }
        }
    }


    /**
     * A start that found nothing: none of the evidence ladder, the policy or the actions is
     * loaded (the policy's verdict on no findings is ALLOW on every surface: PolicyTest), only
     * what guards the JVM from now on. The budget of classes this may load is written once, in
     * StartupCostTest; what a finding needs loads when there is one.
     */
    private static void startClean(Instrumentation instrumentation, Config config, RuleSet rules, Probe probe,
                                   StateListener health, byte[] baseline, long count, boolean atStartup) {
        if (health != null) { // asked for: it says that nothing was found
            Actions.apply(Policy.decide(List.of(), Surface.START, config), config, atStartup, null, null, probe, health);
        }
        String gateProblem = RuntimeGuard.install(instrumentation, config, rules, probe, health);
        if (gateProblem != null) {
            Actions.warnGateMissing(gateProblem, config);
        }
        RuntimeGuard.watchAfterCleanScan(config, rules, probe, health, baseline, count);
        if (atStartup && config.attachApplies()) {
            AttachPosture.check(config, probe);
        }
        if (config.logLevel().equals("info")) {
            StartNotes.started(config, "loaded", gateProblem, AttachPosture.describe(probe, Runtime.version().feature()));
        }
    }
}
