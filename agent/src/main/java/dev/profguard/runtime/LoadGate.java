package dev.profguard.runtime;

import dev.profguard.act.Report;
import dev.profguard.config.Config;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Source;
import dev.profguard.policy.Outcome;
import dev.profguard.policy.Policy;
import dev.profguard.policy.Surface;
import dev.profguard.policy.Verdict;
import dev.profguard.log.Logs;
import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The library-load gate: called (through java.lang.ProfguardBridge) before Runtime loads a native
 * library, it finds the file the JVM would load, checks it with the start-up inspector and rules,
 * and in a production JVM throws UnsatisfiedLinkError before the library's constructors can run.
 * Outside production (or with action=warn) it warns once per file and lets the load go on.
 * Decisions are cached per path and re-made when the file's size or modification time changed,
 * so a repeated load of a library costs one stat and a map look-up; with the native probe, a path
 * the dynamic linker already has loaded is let through without even that.
 */
public final class LoadGate implements Consumer<Object[]> {
    private final RuleSet rules;
    private final Config config;
    private final Probe probe;
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();
    private volatile Loaded loaded;

    /** @param probe the native probe when loaded, else null (every call then costs a stat) */
    public LoadGate(RuleSet rules, Config config, Probe probe) {
        this.rules = rules;
        this.config = config;
        this.probe = probe;
    }

    /** The dynamic linker's loaded paths, as of one value of its change counter. */
    private static final class Loaded {
        final long changeCount;
        final Set<String> paths;

        Loaded(long changeCount, Set<String> paths) {
            this.changeCount = changeCount;
            this.paths = paths;
        }
    }

    /**
     * Whether the dynamic linker has an object loaded from exactly this path now. Loading it again
     * then runs no new code whatever the file holds now: the JDK returns the library it has (or
     * refuses one loaded by another class loader), and dlopen returns the object it has by that
     * name. The list is re-read only when the probe's change counter moved (an object was loaded
     * or unloaded), so a repeated load costs one JNI call and a set look-up, not a stat.
     */
    private boolean alreadyLoaded(String path) {
        if (probe == null) {
            return false;
        }
        try {
            long count = probe.changeCount(); // read before the list: a load in between makes the next call re-read
            Loaded now = loaded;
            if (now == null || now.changeCount != count) {
                Set<String> paths = new HashSet<>();
                for (LoadedObject object : probe.loadedObjects()) {
                    paths.add(object.path()); // text form: the JDK's own paths are text
                }
                now = new Loaded(count, paths);
                loaded = now;
            }
            return now.paths.contains(path);
        } catch (RuntimeException | LinkageError e) {
            return false; // decide as without the probe
        }
    }

    /** What to do about one file, as it was when decided (size and modification time). */
    private static final class Decision {
        final String refusal;   // the UnsatisfiedLinkError message, or null
        final String warning;   // the WARN line, or null
        long size;
        long modified;
        volatile boolean warned;

        Decision(String refusal, String warning) {
            this.refusal = refusal;
            this.warning = warning;
        }
    }

    /** @param call {route ("load" or "loadLibrary"), the calling class, the file or library name} */
    @Override
    public void accept(Object[] call) {
        if (!((String) call[0]).equals("loadLibrary") && alreadyLoaded((String) call[2])) {
            return; // nothing new can be loaded from that path: no stat, no decision
        }
        if (busy.get() != null) {
            return; // the gate's own reads never come back through it
        }
        busy.set(Boolean.TRUE);
        try {
            String route = (String) call[0];
            String name = (String) call[2];
            File file = route.equals("loadLibrary") ? resolve(name) : new File(name);
            if (route.equals("ffm") && name.indexOf('/') < 0) {
                file = find(name); // a bare file name: dlopen searches the system's paths; check what we can find
            }
            if (file == null) {
                return; // the JVM will not find it either
            }
            if (route.equals("loadLibrary") && alreadyLoaded(file.getPath())) {
                return;
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file.toPath(), BasicFileAttributes.class); // one stat per call
            } catch (IOException e) {
                return; // gone or unreadable: the JVM cannot load it either
            }
            if (!attributes.isRegularFile()) {
                return;
            }
            String key = file.getPath();
            Decision decision = decisions.get(key);
            long modified = attributes.lastModifiedTime().toMillis();
            if (decision == null || decision.size != attributes.size() || decision.modified != modified) {
                decision = decide(file, route, name); // new, or the file changed since: decide again
                decision.size = attributes.size();
                decision.modified = modified;
                decisions.put(key, decision);
            }
            if (decision.refusal != null) {
                Logs.get(config.logFormat()).atError().addKeyValue("outcome", "refuse_load").log(decision.refusal);
                throw new UnsatisfiedLinkError("profguard: " + decision.refusal);
            }
            if (decision.warning != null && !decision.warned) {
                decision.warned = true;
                Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "warn_load").log(decision.warning);
            }
        } catch (UnsatisfiedLinkError refused) {
            throw refused;
        } catch (RuntimeException | LinkageError e) {
            // A fault of the gate must not break the application's library loading.
            Logs.get(config.logFormat()).warn("the library-load gate failed on a load and let it through: {}", String.valueOf(e));
        } finally {
            busy.remove();
        }
    }

    /** The one judgement of the gate: the evidence ladder on the file, the policy for surface LOAD. */
    private Decision decide(File file, String route, String name) {
        String how = route.equals("loadLibrary") ? "loadLibrary(\"" + name + "\")"
                : route.equals("ffm") ? "SymbolLookup.libraryLookup" : "load";
        List<Finding> findings = new Evidence(rules, null).library(Source.LIBRARY_LOAD, file.getPath(), null,
                file.toPath(), 0, "about to be loaded by " + how, false);
        Verdict verdict = Policy.decide(findings, Surface.LOAD, config);
        if (verdict.outcome() == Outcome.ALLOW) {
            return new Decision(null, null);
        }
        String line = Report.line(verdict, Surface.LOAD, config, "a library load", true);
        return verdict.outcome() == Outcome.REFUSE ? new Decision(line, null) : new Decision(null, line);
    }

    /** The file System.loadLibrary(name) would load: java.library.path, then the JDK's own directory. */
    private static File resolve(String name) {
        return find(System.mapLibraryName(name));
    }

    /** A file of that name in java.library.path or the JDK's own directory, or null. */
    private static File find(String fileName) {
        for (String property : new String[]{"java.library.path", "sun.boot.library.path"}) {
            String paths = System.getProperty(property, "");
            for (String dir : paths.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    File candidate = new File(dir, fileName);
                    if (candidate.isFile()) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }
}
