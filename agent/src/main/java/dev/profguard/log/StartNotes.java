package dev.profguard.log;

import dev.profguard.config.Config;

/**
 * What the guard says about itself at start, beyond verdicts: options it ignored, that it is
 * turned off, and (at {@code log.level=info}) the one line saying what is active. Loaded only
 * when there is something to say: a clean start at the default level says nothing.
 */
public final class StartNotes {
    private StartNotes() {
    }

    /** One WARN per warning the options left (environment variables ignored). */
    public static void warnings(Config config) {
        for (String warning : config.warnings()) {
            Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "ignored_option").log(warning);
        }
    }

    /**
     * The WARN of our variables changed inside this process before the JVM read them
     * ({@link Config#environmentChange}), when they were; on every path but a clean start, whose
     * probe saw no such change.
     */
    public static void environmentChange(Config config) {
        String change = config.environmentChange();
        if (change != null) {
            Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "ignored_option").log(change);
        }
    }

    /** The one WARN of {@code enabled=false}; returns its text (health publishes it). */
    public static String disabled(Config config) {
        String line = "the guard is off in this JVM: enabled=false (" + config.sourceOf("enabled") + "). Nothing is "
                + "checked (no start-up scan, no library-load gate, no watcher) and health reports DISABLED; "
                + "remove that setting to guard this JVM again.";
        Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "disabled").log(line);
        return "profguard: " + line;
    }

    /**
     * At {@code log.level=info}: one line at start saying that the guard is active, the tag and
     * whether it counts as production and why, and the state of the probe, gate and watcher.
     *
     * @param probe   e.g. "loaded", "not loaded (reason)", "off"
     * @param gate    null when installed, else why not
     * @param attach  what the launch flags leave open, in words, or null when not known
     */
    public static void started(Config config, String probe, String gate, String attach) {
        StringBuilder line = new StringBuilder("active in this JVM: ").append(production(config));
        line.append("; action=").append(config.action().word());
        line.append("; probe ").append(probe);
        line.append("; library-load gate ").append(gate == null ? "installed" : "not installed (" + gate + ")");
        line.append("; watcher ").append(config.watchIntervalMillis() == 0 ? "off (watch.interval=0)"
                : "every " + config.watchIntervalMillis() + " ms, runtime.action=" + config.runtimeAction().word());
        if (attach != null) {
            line.append("; attach: ").append(attach);
        }
        if (config.healthPort() != 0) {
            line.append("; health endpoint ").append(config.healthBind()).append(':').append(config.healthPort());
        }
        if (config.statusFile() != null) {
            line.append("; status file ").append(config.statusFile());
        }
        Logs.get(config.logFormat()).atInfo().addKeyValue("outcome", "active").log(line.append('.').toString());
    }

    /** "env=prod-eu (environment variable APP_ENV): production, matches prod-* in option production (default)". */
    static String production(Config config) {
        if (config.envTag() == null) {
            return "no environment tag (option env, or APP_ENV, ENVIRONMENT, DEPLOY_ENV): not production";
        }
        String source = config.sourceOf("production");
        String list = "option production (" + (source.equals("default") ? "default " + Config.DEFAULT_PRODUCTION : source) + ")";
        String match = config.productionMatch();
        return "env=" + config.envTag() + " (" + config.envTagSource() + "): "
                + (match != null ? "production, matches " + match + " in " + list
                : "not production, matches nothing in " + list);
    }
}
