package dev.profguard;

import dev.profguard.act.Actions;
import dev.profguard.config.Config;
import dev.profguard.config.ConfigException;
import dev.profguard.config.LogFormat;
import dev.profguard.detect.ProcFs;
import dev.profguard.detect.Scanner;
import dev.profguard.log.Logs;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Verdict;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;

import java.lang.instrument.Instrumentation;

/** The start-up flow: options, scan, decide, act. Nothing escapes it but the documented exits. */
final class Guard {
    private Guard() {
    }

    static void start(String args, Instrumentation instrumentation, boolean atStartup) {
        try {
            Config config;
            RuleSet rules;
            try {
                config = Config.resolve(args, System.getProperties(), System.getenv());
                rules = RuleSet.load(config.rulesFile());
            } catch (ConfigException e) {
                Actions.refuseBadOption(e, LogFormat.TEXT);
                return;
            } catch (RulesException e) {
                Actions.refuseBadOption(new ConfigException("invalid option rules: " + e.getMessage()), LogFormat.TEXT);
                return;
            }
            Verdict verdict = Policy.decide(new Scanner(rules).scan(ProcFs.self()), config);
            Actions.apply(verdict, config, atStartup);
            Actions.warnInactiveOptions(config);
        } catch (Throwable t) {
            // A bug of ours must not take the application down with it; say so loudly.
            try {
                Logs.get(LogFormat.TEXT).error("internal error, the guard is not active in this JVM: {}. "
                        + "main runs; please report this.", String.valueOf(t));
            } catch (Throwable ignored) {
                System.err.println("profguard: ERROR internal error, the guard is not active in this JVM: " + t);
            }
        }
    }
}
