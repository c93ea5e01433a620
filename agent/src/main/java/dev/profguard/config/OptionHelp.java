package dev.profguard.config;

import java.util.List;

/**
 * Each option's meaning and default, for {@code --help}; the README's options table says the
 * same at more length. A class of its own: the agent never loads it.
 */
public final class OptionHelp {
    /** key, meaning, default; in the order of {@link Config#KEYS}. */
    public static final List<String[]> OPTIONS = List.of(
            new String[]{"env", "environment tag of this JVM", "APP_ENV, else ENVIRONMENT, else DEPLOY_ENV"},
            new String[]{"production", "tags and patterns (* ?) that mean production, ';'-separated, any case",
                    Config.DEFAULT_PRODUCTION},
            new String[]{"enabled", "false turns the guard off in this JVM (one WARN; health says DISABLED)", "true"},
            new String[]{"action", "a production JVM with the client at start-up: refuse, neutralize, warn", "refuse"},
            new String[]{"exit.code", "exit status of a refusal, 1 to 255", "78"},
            new String[]{"rules", "file of extra rules", "none"},
            new String[]{"probe", "native probe: auto (warn if unavailable), required (refuse), off", "auto"},
            new String[]{"probe.dir", "directory to load the probe from first (then java.io.tmpdir, "
                    + "$XDG_RUNTIME_DIR, the working directory)", "none"},
            new String[]{"capture.files", "capture data of a client refused, halted or switched off: delete, keep", "delete"},
            new String[]{"watch.interval", "period of the runtime watcher: 500ms, 1s, 2m (at most 1h), 0 off", "250ms"},
            new String[]{"runtime.action", "a client loaded after start-up: neutralize, warn, halt", "neutralize"},
            new String[]{"attach", "a production JVM open to agents loaded at run time: warn, ignore, refuse", "warn"},
            new String[]{"health.port", "HTTP port of /health, /health/liveness, /health/readiness, /metrics", "off"},
            new String[]{"health.bind", "address the health endpoint listens on", "127.0.0.1"},
            new String[]{"status.file", "file holding the guard's state as JSON, rewritten on every change", "off"},
            new String[]{"log.format", "text or json", "text"},
            new String[]{"log.level", "error, warn, or info (adds one line at start saying what is active)", "warn"});

    private OptionHelp() {
    }

    /** The options as aligned lines: key, meaning, default. */
    public static String table() {
        StringBuilder out = new StringBuilder();
        for (String[] option : OPTIONS) {
            out.append(String.format("  %-15s %s (default: %s)%n", option[0], option[1], option[2]));
        }
        return out.toString();
    }
}
