package dev.profguard.runtime;

import dev.profguard.act.Report;
import dev.profguard.config.Action;
import dev.profguard.config.Config;
import dev.profguard.detect.Finding;
import dev.profguard.detect.LibraryInspector;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.log.Logs;
import dev.profguard.rules.RuleSet;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The library-load gate: called (through java.lang.ProfguardBridge) before Runtime loads a native
 * library, it finds the file the JVM would load, checks it with the start-up inspector and rules,
 * and in a production JVM throws UnsatisfiedLinkError before the library's constructors can run.
 * Outside production (or with action=warn) it warns once per file and lets the load go on.
 * Decisions are cached per path and re-made when the file's size or modification time changed,
 * so a repeated load of a library costs one stat and a map look-up.
 */
public final class LoadGate implements Consumer<Object[]> {
    private final RuleSet rules;
    private final Config config;
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final Map<String, Decision> decisions = new ConcurrentHashMap<>();

    public LoadGate(RuleSet rules, Config config) {
        this.rules = rules;
        this.config = config;
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

    private Decision decide(File file, String route, String name) {
        String how = route.equals("loadLibrary") ? "loadLibrary(\"" + name + "\")"
                : route.equals("ffm") ? "SymbolLookup.libraryLookup" : "load";
        List<Finding> findings = new LibraryInspector(rules).inspect(Source.LIBRARY_LOAD, file.getPath(),
                file.toPath(), null, "about to be loaded by " + how, false);
        List<Finding> strong = new ArrayList<>();
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG) {
                strong.add(finding);
            }
        }
        if (!strong.isEmpty() && config.isProduction() && config.action() != Action.WARN) {
            return new Decision("refused to load " + file + " in this production JVM (env=" + config.envTag() + "): "
                    + strong.get(0).profiler() + ", rule " + strong.get(0).rule() + ": " + Report.evidence(strong)
                    + ". The library's code did not run. Remove it from the application.", null);
        }
        if (!findings.isEmpty()) {
            return new Decision(null, "loading " + file + " although it looks like a profiler client ("
                    + (config.isProduction() ? "action=warn" : "not a production JVM") + "): " + Report.evidence(findings)
                    + ". In production this load would be refused.");
        }
        return new Decision(null, null);
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
