package dev.profguard.runtime;

import dev.profguard.act.Exit;
import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.LibraryInspector;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.ProbeDetector;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.log.Logs;
import dev.profguard.ops.Health;
import dev.profguard.ops.HealthState;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;
import org.slf4j.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Notices what slips in after start-up (native code calling dlopen behind the load gate, a JVMTI
 * agent attached at run time). Every watch.interval it asks the probe's change counter and looks
 * again only when objects were loaded or unloaded, and then only at the new ones; without the
 * probe it compares /proc/self/maps. A client found acts per runtime.action: neutralize (call its
 * own shutdown; where impossible, warn and mark the guard DOWN), warn (and DOWN), halt (end the
 * JVM with exit.code). A daemon thread that survives its own failures.
 */
public final class Watcher implements Runnable {
    private static final List<String> JVMTI_ENTRY = List.of("Agent_OnAttach", "Agent_OnLoad");

    private final Config config;
    private final RuleSet rules;
    private final Probe probe;
    private final ProcessView view;
    private final Health health;
    private final Set<String> known = new HashSet<>();
    private long lastCount;
    private boolean faultReported;

    private Watcher(Config config, RuleSet rules, Probe probe, ProcessView view, Health health) {
        this.config = config;
        this.rules = rules;
        this.probe = probe;
        this.view = view;
        this.health = health;
    }

    /** Starts the watcher unless watch.interval is 0; returns it, or null. */
    public static Watcher start(Config config, RuleSet rules, Probe probe, ProcessView view, Health health) {
        if (config.watchIntervalMillis() == 0) {
            return null;
        }
        Watcher watcher = create(config, rules, probe, view, health);
        Thread thread = new Thread(watcher, "profguard-watcher");
        thread.setDaemon(true); // never keeps the JVM alive
        thread.start();
        return watcher;
    }

    /** A watcher that knows what is loaded now, without a thread (the benchmarks tick it). */
    public static Watcher create(Config config, RuleSet rules, Probe probe, ProcessView view, Health health) {
        Watcher watcher = new Watcher(config, rules, probe, view, health);
        watcher.known.addAll(watcher.currentObjects());
        watcher.lastCount = probe == null ? -1 : probe.changeCount();
        return watcher;
    }

    @Override
    public void run() {
        while (true) { // a daemon: it ends with the JVM, or when interrupted
            try {
                Thread.sleep(config.watchIntervalMillis());
                tick();
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                if (!faultReported) { // its own failure is said once, and the watch goes on
                    faultReported = true;
                    log().warn("the runtime watcher failed once and keeps watching: {}", String.valueOf(t));
                }
            }
        }
    }

    /** One look; nearly free while nothing was loaded or unloaded. Also called by the load gate right after a load. */
    public synchronized void tick() {
        if (probe != null) {
            long count = probe.changeCount();
            if (count == lastCount) {
                return;
            }
            lastCount = count;
            List<LoadedObject> added = new ArrayList<>();
            for (LoadedObject object : probe.loadedObjects()) {
                if (known.add(object.path())) {
                    added.add(object);
                }
            }
            if (!added.isEmpty()) {
                inspectLoaded(added);
            }
            return;
        }
        for (String path : mappedCode()) {
            if (known.add(path)) {
                act(new LibraryInspector(rules).inspect(Source.MAPPED_OBJECT, path, Path.of(path), null,
                        "code mapped after start-up", false));
            }
        }
    }

    /** Paths of what is loaded now: through the probe, else the executable mappings. */
    private List<String> currentObjects() {
        if (probe == null) {
            return mappedCode();
        }
        List<String> paths = new ArrayList<>();
        for (LoadedObject object : probe.loadedObjects()) {
            paths.add(object.path());
        }
        return paths;
    }

    private List<String> mappedCode() {
        List<String> paths = new ArrayList<>();
        List<MappedObject> mapped = view.mappedObjects().value();
        if (mapped != null) {
            for (MappedObject object : mapped) {
                if (object.executable()) {
                    paths.add(object.path());
                }
            }
        }
        return paths;
    }

    private void inspectLoaded(List<LoadedObject> added) {
        act(new ProbeDetector(probe, added).scan(view, new LibraryInspector(rules)));
        for (LoadedObject object : added) {
            String path = object.path();
            List<String> entry = path.indexOf('/') < 0 ? null : probe.definedSymbols(path, JVMTI_ENTRY);
            if (entry != null && !entry.isEmpty()) {
                log().atWarn().addKeyValue("outcome", "jvmti_agent").log("a JVMTI agent was loaded into this running JVM: "
                        + path + " (defines " + String.join(", ", entry) + "). Dynamic agents can read and change "
                        + "everything in it; close attach with -XX:+DisableAttachMechanism.");
            }
        }
    }

    /** Strong findings act per runtime.action; weak ones are warned about. */
    private void act(List<Finding> findings) {
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG) {
                act(finding);
            } else if (finding.strength() == Strength.WEAK) {
                log().atWarn().addKeyValue("outcome", "warn_late").log("after start-up, signs of " + finding.profiler()
                        + " in this JVM: " + finding.evidence() + ".");
            }
        }
    }

    private void act(Finding finding) {
        String what = finding.profiler() + " was loaded into this running JVM after start-up: " + finding.evidence();
        String action = config.runtimeAction();
        if (action.equals("halt")) {
            log().atError().addKeyValue("outcome", "halt").log(what + ". runtime.action=halt: ending this JVM, exit status "
                    + config.exitCode() + ".");
            Exit.now(config.exitCode());
            return;
        }
        if (action.equals("neutralize") && probe != null) {
            Rule rule = rules.byId(finding.rule());
            if (rule != null && rule.shutdown() != null
                    && probe.switchOff(finding.path(), rule.shutdown()) == Probe.SwitchOff.CALLED) {
                log().atWarn().addKeyValue("outcome", "neutralized_late").log(what + ". Switched off in place: called "
                        + rule.shutdown() + "() in " + finding.path() + "; it records nothing more.");
                return;
            }
        }
        String why = action.equals("warn") ? "runtime.action=warn"
                : probe == null ? "runtime.action=neutralize needs the native probe, which is not loaded"
                : "it cannot be switched off (no shutdown function of its own)";
        log().atError().addKeyValue("outcome", "active_late").log(what + ". It stays active (" + why
                + "); the guard reports DOWN.");
        if (health != null) {
            HealthState now = health.state();
            List<java.util.Map<String, Object>> findings = new ArrayList<>(now.findings());
            findings.add(Report.findingMap(finding));
            health.update(new HealthState(false, "active_late", now.env(), now.production(), now.action(), findings,
                    "profguard: " + what, System.currentTimeMillis()));
        }
    }

    private Logger log() {
        return Logs.get(config.logFormat());
    }
}
