package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.config.ConfigException;
import dev.profguard.config.LogFormat;
import dev.profguard.config.ProbeMode;
import dev.profguard.log.Logs;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.ProcessView;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.probe.Probe;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/** Does what a verdict says. */
public final class Actions {
    private Actions() {
    }

    /**
     * Logs the start-up verdict (nothing for a clean JVM) and, on refusal when {@code mayExit},
     * disposes of the client's capture data and ends the JVM without running the client's exit
     * code.
     *
     * @param mayExit  false when attached to a running JVM, where ending it is not ours to do
     * @param listener told the verdict (health), or null
     */
    public static void apply(Verdict verdict, Config config, boolean mayExit, ProcessView view, Evidence evidence,
                             Probe probe, StateListener listener) {
        if (verdict.outcome() == Outcome.ALLOW) {
            if (listener != null) {
                listener.changed(GuardState.of(verdict, config, "profguard: nothing found"));
            }
            return;
        }
        Logger log = Logs.get(config.logFormat());
        boolean refuse = verdict.outcome() == Outcome.REFUSE;
        String line = Report.line(verdict, Surface.START, config, "this JVM", mayExit);
        if (refuse && mayExit) {
            line += " Capture data: " + CaptureFiles.cleanUp(view, evidence, config.deleteCaptureFiles())
                    + (probe == null ? " (without the native probe the client's own exit code still runs and may write "
                    + "what it buffered)." : ".");
        }
        LoggingEventBuilder event = refuse ? log.atError() : log.atWarn();
        event.addKeyValue("outcome", verdict.outcome().word())
                .addKeyValue("env", config.envTag())
                .addKeyValue("production", config.isProduction())
                .addKeyValue("action", config.action().word());
        if (refuse && mayExit) {
            event.addKeyValue("exit_status", config.exitCode());
        }
        event.addKeyValue("findings", Report.findings(verdict)).log(line);
        if (listener != null) {
            if (verdict.outcome() == Outcome.NEUTRALIZED) {
                listener.counted(StateListener.Count.SWITCH_OFF);
            }
            listener.changed(GuardState.of(verdict, config, "profguard: " + line)); // before a refusal exits
        }
        if (refuse && mayExit) {
            if (listener != null) {
                listener.ending();
            }
            Exit.withoutClientFlush(config.exitCode(), probe);
        }
    }

    /**
     * What the watcher found after start-up, acted on per the policy's verdict: switched off in
     * place, the JVM ended (halt), or left active with the guard DOWN in production. At the JVM's
     * end ({@code ending}), a client that could not be switched off is not left to run its exit
     * code, in which it writes what it buffered (red team round 20: a client with its API hidden,
     * found by the end look): the JVM is ended as a halt ends it, its capture data disposed of.
     *
     * @return the verdict left standing when runtime.action=neutralize could not switch the client
     *         off (the watcher ends the JVM with it when the JVM ends), else null
     */
    public static Verdict late(Verdict verdict, Config config, ProcessView view, Evidence evidence, Probe probe,
                               StateListener listener, boolean ending) {
        return late(verdict, config, view, evidence, probe, listener, ending, false);
    }

    /** As above; {@code orphans}: capture data with no client left may be disposed of ({@link Neutralizer}). */
    public static Verdict late(Verdict verdict, Config config, ProcessView view, Evidence evidence, Probe probe,
                               StateListener listener, boolean ending, boolean orphans) {
        Logger log = Logs.get(config.logFormat());
        String subject = "this running JVM after start-up";
        boolean unswitched = false;
        if (verdict.outcome() == Outcome.NEUTRALIZE) {
            Verdict done = Neutralizer.switchOff(verdict, probe, null, view, evidence, config, "runtime.action=neutralize",
                    orphans);
            // only a client's code has an exit code to keep from running: capture data alone (a file
            // someone holds open, whatever it is) never ends the JVM (red team round 21)
            boolean code = namesCode(verdict);
            verdict = done.outcome() == Outcome.NEUTRALIZED ? done
                    : ending && probe != null && code ? new Verdict(Outcome.HALT, verdict.findings(), done.reason()
                            + "; the JVM is ending, and is ended without running the client's exit code")
                    : new Verdict(Outcome.WARN, verdict.findings(), done.reason());
            unswitched = verdict.outcome() == Outcome.WARN && code;
        }
        if (verdict.outcome() == Outcome.HALT) {
            String line = Report.line(verdict, Surface.LATE, config, subject, true) + " Capture data: "
                    + CaptureFiles.cleanUp(view, evidence, config.deleteCaptureFiles()) + ".";
            log.atError().addKeyValue("outcome", "halt").addKeyValue("exit_status", config.exitCode())
                    .addKeyValue("findings", Report.findings(verdict)).log(line);
            if (listener != null) {
                listener.changed(GuardState.late(verdict, "halt", true, "profguard: " + line));
                listener.ending();
            }
            Exit.withoutClientFlush(config.exitCode(), probe);
            return null;
        }
        String line = Report.line(verdict, Surface.LATE, config, subject, true);
        boolean active = Policy.clientActive(verdict, config);
        String outcome = verdict.outcome() == Outcome.NEUTRALIZED ? "neutralized_late" : active ? "active_late" : "warn_late";
        (active ? log.atError() : log.atWarn()).addKeyValue("outcome", outcome)
                .addKeyValue("findings", Report.findings(verdict)).log(line);
        if (listener != null) {
            if (verdict.outcome() == Outcome.NEUTRALIZED) {
                listener.counted(StateListener.Count.SWITCH_OFF);
            }
            listener.changed(GuardState.late(verdict, outcome, active, "profguard: " + line));
        }
        return unswitched ? verdict : null;
    }

    /** Whether a verdict names a client's code (a loaded or mapped object), not only capture data. */
    private static boolean namesCode(Verdict verdict) {
        for (dev.profguard.detect.Finding finding : verdict.findings()) {
            if (finding.strength() == dev.profguard.detect.Strength.STRONG && finding.path() != null
                    && finding.source() != dev.profguard.detect.Source.FILE && finding.source() != dev.profguard.detect.Source.OPEN_FILE) {
                return true;
            }
        }
        return false;
    }

    /**
     * The native probe could not be loaded: with probe=auto one WARN and the pure-Java checks go
     * on; with probe=required a refusal (exit.code) at start-up, an ERROR line when attached late.
     */
    public static void probeUnavailable(String reason, Config config, boolean mayExit) {
        Logger log = Logs.get(config.logFormat());
        if (config.probe() == ProbeMode.REQUIRED) {
            log.atError().addKeyValue("outcome", "refuse").addKeyValue("exit_status", config.exitCode())
                    .log("native probe not loaded: " + reason + ". probe=required: "
                            + (mayExit ? "main will not run, exit status " + config.exitCode() + "." : "nothing was stopped (attached late)."));
            if (mayExit) {
                Exit.now(config.exitCode());
            }
            return;
        }
        log.atWarn().addKeyValue("outcome", "probe_unavailable")
                .log("native probe not loaded: " + reason + ". The pure-Java checks carry on: hidden or deleted "
                        + "clients may go unseen and action=neutralize cannot switch a client off (probe=required "
                        + "refuses instead; probe=off skips the probe).");
    }

    /** The library-load gate could not be installed: loads after start-up go unchecked. */
    public static void warnGateMissing(String reason, Config config) {
        Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "gate_missing")
                .log("library-load gate not installed: " + reason + ". Native libraries loaded after start-up "
                        + "are not checked before they load.");
    }

    /** A malformed option: one ERROR line naming it, then exit status 64 before {@code main}. */
    public static void refuseBadOption(ConfigException e, LogFormat format) {
        Logs.get(format).atError()
                .addKeyValue("outcome", "bad_option")
                .addKeyValue("exit_status", Exit.BAD_OPTION)
                .log(e.getMessage() + ". main will not run: exit status " + Exit.BAD_OPTION
                        + " (a malformed option must never silently weaken the guard).");
        Exit.now(Exit.BAD_OPTION);
    }
}
