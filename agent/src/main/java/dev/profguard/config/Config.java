package dev.profguard.config;

import dev.profguard.util.Tokens;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** profguard's resolved options. See README "Options" for the user-facing table. */
public final class Config {
    /** Option keys, in the order the README lists them. */
    public static final List<String> KEYS = List.of("env", "production", "action", "exit.code", "rules",
            "probe", "capture.files", "watch.interval", "runtime.action", "health.port", "health.bind", "status.file",
            "log.format");
    /** Variables that carry the environment tag when option {@code env} is unset, in order. */
    public static final List<String> TAG_VARIABLES = List.of("APP_ENV", "ENVIRONMENT", "DEPLOY_ENV");
    /** {@code PROFGUARD_*} variables that are not options (used by the container entrypoint). */
    static final Set<String> RESERVED_VARIABLES = Set.of("PROFGUARD_AGENT");
    static final String PROPERTY_PREFIX = "profguard.";
    static final String VARIABLE_PREFIX = "PROFGUARD_";

    private final String envTag;
    private final String envTagSource;
    private final Set<String> productionTags;
    private final Action action;
    private final int exitCode;
    private final Path rulesFile;
    private final long watchIntervalMillis;
    private final int healthPort;
    private final LogFormat logFormat;
    private final ProbeMode probe;
    private final String healthBind;
    private final RuntimeAction runtimeAction;
    private final Path statusFile;
    private final boolean deleteCaptureFiles;
    private final Set<String> explicit;

    private Config(Map<String, Value> options, Map<String, String> env) throws ConfigException {
        this.explicit = Collections.unmodifiableSet(new LinkedHashSet<>(options.keySet()));
        Value tag = options.get("env");
        String tagValue = null;
        String tagSource = null;
        if (tag != null) {
            tagValue = nonEmpty(tag);
            tagSource = tag.source;
        } else {
            for (String variable : TAG_VARIABLES) {
                String v = env.get(variable);
                if (v != null && !v.isBlank()) {
                    tagValue = v.strip();
                    tagSource = "environment variable " + variable;
                    break;
                }
            }
        }
        this.envTag = tagValue;
        this.envTagSource = tagSource;
        this.productionTags = productionTags(options.get("production"));
        this.action = action(options.get("action"));
        this.exitCode = (int) integer(options.get("exit.code"), 78, 1, 255);
        Value rules = options.get("rules");
        this.rulesFile = rules == null ? null : Path.of(nonEmpty(rules));
        this.watchIntervalMillis = duration(options.get("watch.interval"), 1000);
        this.healthPort = (int) integer(options.get("health.port"), 0, 1, 65535);
        Value probeValue = options.get("probe");
        this.probe = probeValue == null ? ProbeMode.AUTO
                : ProbeMode.valueOf(oneOf(probeValue, "auto", "required", "off").toUpperCase(Locale.ROOT));
        Value captures = options.get("capture.files");
        this.deleteCaptureFiles = captures == null || oneOf(captures, "keep", "delete").equals("delete");
        Value runtime = options.get("runtime.action");
        this.runtimeAction = runtime == null ? RuntimeAction.NEUTRALIZE
                : RuntimeAction.valueOf(oneOf(runtime, "neutralize", "warn", "halt").toUpperCase(Locale.ROOT));
        Value bind = options.get("health.bind");
        this.healthBind = bind == null ? "127.0.0.1" : nonEmpty(bind);
        Value status = options.get("status.file");
        this.statusFile = status == null ? null : Path.of(nonEmpty(status));
        Value format = options.get("log.format");
        this.logFormat = format == null ? LogFormat.TEXT
                : LogFormat.valueOf(oneOf(format, "text", "json").toUpperCase(Locale.ROOT));
    }

    /**
     * Resolves options with the precedence agent argument, system property, environment variable.
     *
     * @param agentArgs  the {@code -javaagent:jar=ARGS} string, may be null
     * @param properties system properties; only {@code profguard.*} keys are read
     * @param env        environment; {@code PROFGUARD_*} and the tag variables are read
     */
    public static Config resolve(String agentArgs, Properties properties, Map<String, String> env)
            throws ConfigException {
        Map<String, Value> options = new LinkedHashMap<>();
        for (String name : env.keySet()) {
            if (name.startsWith(VARIABLE_PREFIX) && !RESERVED_VARIABLES.contains(name)) {
                String key = keyOfVariable(name);
                if (key == null) {
                    throw unknown("environment variable " + name);
                }
                options.put(key, new Value(key, env.get(name), "environment variable " + name));
            }
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                if (!KEYS.contains(key)) {
                    throw unknown("system property " + name);
                }
                options.put(key, new Value(key, properties.getProperty(name), "system property " + name));
            }
        }
        options.putAll(parseAgentArgs(agentArgs));
        return new Config(options, env);
    }

    static Map<String, Value> parseAgentArgs(String agentArgs) throws ConfigException {
        Map<String, Value> options = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return options;
        }
        for (String item : Tokens.split(agentArgs, ",")) {
            String trimmed = item.strip();
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("invalid agent argument '" + trimmed
                        + "': expected key=value pairs separated by commas, keys: " + String.join(", ", KEYS));
            }
            String key = trimmed.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw unknown("agent argument " + key);
            }
            Value value = new Value(key, trimmed.substring(eq + 1), "agent argument");
            if (options.put(key, value) != null) {
                throw new ConfigException("invalid option " + key + " (agent argument): given twice");
            }
        }
        return options;
    }

    private static String keyOfVariable(String variable) {
        for (String key : KEYS) {
            if (variable.equals(variableOf(key))) {
                return key;
            }
        }
        return null;
    }

    /** {@code watch.interval} becomes {@code PROFGUARD_WATCH_INTERVAL}. */
    public static String variableOf(String key) {
        return VARIABLE_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static ConfigException unknown(String where) {
        return new ConfigException("unknown option " + where + " (known options: " + String.join(", ", KEYS) + ")");
    }

    private static String nonEmpty(Value value) throws ConfigException {
        String v = value.text.strip();
        if (v.isEmpty()) {
            throw value.invalid("must not be empty");
        }
        return v;
    }

    private static String oneOf(Value value, String... allowed) throws ConfigException {
        String v = value.text.strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw value.invalid("expected one of " + String.join(", ", allowed));
    }

    private static Action action(Value value) throws ConfigException {
        if (value == null) {
            return Action.REFUSE;
        }
        return Action.valueOf(oneOf(value, "refuse", "neutralize", "warn").toUpperCase(Locale.ROOT));
    }

    private static Set<String> productionTags(Value value) throws ConfigException {
        if (value == null) {
            return Set.of("prod", "production", "prd", "live");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (String tag : Tokens.split(value.text, ";,")) {
            String t = tag.strip().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                throw value.invalid("expected tags separated by ';' with none empty, e.g. prod;live");
            }
            tags.add(t);
        }
        return Collections.unmodifiableSet(tags);
    }

    private static long integer(Value value, long fallback, long min, long max) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        String v = value.text.strip();
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw value.invalid("expected a whole number from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw value.invalid("expected a whole number from " + min + " to " + max);
        }
        return n;
    }

    /** Parses {@code 0}, {@code 500ms}, {@code 1s}, {@code 2m}; at most one hour. */
    static long duration(Value value, long fallback) throws ConfigException {
        if (value == null) {
            return fallback;
        }
        String v = value.text.strip().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return 0;
        }
        String digits;
        long unit;
        if (v.endsWith("ms")) {
            digits = v.substring(0, v.length() - 2);
            unit = 1;
        } else if (v.endsWith("s")) {
            digits = v.substring(0, v.length() - 1);
            unit = 1000;
        } else if (v.endsWith("m")) {
            digits = v.substring(0, v.length() - 1);
            unit = 60_000;
        } else {
            throw value.invalid("expected a duration such as 500ms, 1s or 2m, or 0 to turn it off");
        }
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0 || digits.startsWith("+") || n > 3_600_000 / unit) {
            throw value.invalid("expected a duration such as 500ms, 1s or 2m (at most 1h), or 0 to turn it off");
        }
        return n * unit;
    }

    /** The tag of this JVM, or null when none is set. */
    public String envTag() {
        return envTag;
    }

    /** Where the tag came from, e.g. "environment variable APP_ENV"; null when unset. */
    public String envTagSource() {
        return envTagSource;
    }

    public boolean isProduction() {
        return envTag != null && productionTags.contains(envTag.toLowerCase(Locale.ROOT));
    }

    public Set<String> productionTags() {
        return productionTags;
    }

    public Action action() {
        return action;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The extra rules file, or null. */
    public Path rulesFile() {
        return rulesFile;
    }

    /** Period of the runtime re-check in milliseconds; 0 means off. */
    public long watchIntervalMillis() {
        return watchIntervalMillis;
    }

    /** Loopback health port, or 0 when off. */
    public int healthPort() {
        return healthPort;
    }

    public LogFormat logFormat() {
        return logFormat;
    }

    /** What the watcher does about a client loaded after start-up: neutralize, warn or halt. */
    public RuntimeAction runtimeAction() {
        return runtimeAction;
    }

    /** Address the health endpoint listens on: loopback unless widened on purpose. */
    public String healthBind() {
        return healthBind;
    }

    /** File the guard's state is written to on every change, or null. */
    public Path statusFile() {
        return statusFile;
    }

    /** Whether and how the native probe is used (option {@code probe}). */
    public ProbeMode probe() {
        return probe;
    }

    /** Whether a capture file left by a switched-off client is deleted (option {@code capture.files}). */
    public boolean deleteCaptureFiles() {
        return deleteCaptureFiles;
    }

    /** Whether {@code key} was given (agent argument, property or variable) rather than defaulted. */
    public boolean isSet(String key) {
        return explicit.contains(key);
    }

    /** One raw option value and where it came from. */
    static final class Value {
        final String key;
        final String text;
        final String source;

        Value(String key, String text, String source) {
            this.key = key;
            this.text = text == null ? "" : text;
            this.source = source;
        }

        ConfigException invalid(String expected) {
            return new ConfigException("invalid option " + key + "='" + text + "' (" + source + "): " + expected);
        }
    }
}
