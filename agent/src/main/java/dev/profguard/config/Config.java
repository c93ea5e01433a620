package dev.profguard.config;

import dev.profguard.rules.Glob;
import dev.profguard.util.Tokens;

import java.nio.file.Path;
import java.util.ArrayList;
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
    public static final List<String> KEYS = List.of("env", "production", "enabled", "action", "exit.code", "rules",
            "probe", "probe.dir", "capture.files", "watch.interval", "runtime.action", "attach", "health.port",
            "health.bind", "status.file", "log.format", "log.level");
    /** Default of option {@code production}: the usual words, alone or followed by a region or a number. */
    public static final String DEFAULT_PRODUCTION = "prod;prod-*;production;production-*;prd;prd-*;live;live-*";
    /** Variables that carry the environment tag when option {@code env} is unset, in order. */
    public static final List<String> TAG_VARIABLES = List.of("APP_ENV", "ENVIRONMENT", "DEPLOY_ENV");
    /** {@code PROFGUARD_*} variables that are not options (used by the container entrypoint). */
    static final Set<String> RESERVED_VARIABLES = Set.of("PROFGUARD_AGENT");
    static final String PROPERTY_PREFIX = "profguard.";
    /** The prefix of the option variables: PROFGUARD_ACTION and the like. */
    public static final String VARIABLE_PREFIX = "PROFGUARD_";

    private final String envTag;
    /** /proc/self/environ as read at start-up, parsed into {@link #startEnvironment} when asked for. */
    private byte[] startBlock;
    private Map<String, String> startEnvironment;
    private final String envTagSource;
    private final Set<String> productionTags;
    /** The same tags in their order, for matching: iterating the set would load LinkedHashMap's key view before main. */
    private final String[] productionOrder;
    /** The enum-valued options as their words: the enums load when asked for, not at every start. */
    private final String action;
    private final int exitCode;
    private final Path rulesFile;
    private final long watchIntervalMillis;
    private final int healthPort;
    private final String logFormat;
    private final String probe;
    private final String healthBind;
    private final String runtimeAction;
    private final Path statusFile;
    private final boolean deleteCaptureFiles;
    private final Set<String> explicit;
    private final Map<String, String> sources;
    private final boolean enabled;
    private final String attach;
    private final String logLevel;
    private final Path probeDir;
    private final List<String> warnings;
    /** The options the guard of this JVM runs with, once resolved (see {@link #forThisJvm}). */
    private static volatile Config thisJvm;

    private Config(Map<String, Value> options, Map<String, String> env, List<String> warnings) throws ConfigException {
        // entrySet, not keySet and values: LinkedHashMap's key and value views are four classes
        // more to load from the runtime image before main (not in the JDK's CDS archive)
        Set<String> given = new LinkedHashSet<>();
        Map<String, String> where = new LinkedHashMap<>();
        for (Map.Entry<String, Value> option : options.entrySet()) {
            given.add(option.getKey());
            where.put(option.getValue().key, option.getValue().source);
        }
        this.explicit = Collections.unmodifiableSet(given);
        this.sources = where;
        this.warnings = new ArrayList<>(warnings);
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
        this.productionOrder = productionTags.toArray(new String[0]);
        this.action = action(options.get("action"));
        this.exitCode = (int) integer(options.get("exit.code"), 78, 1, 255);
        Value rules = options.get("rules");
        this.rulesFile = rules == null ? null : Path.of(nonEmpty(rules));
        this.watchIntervalMillis = duration(options.get("watch.interval"), 250); // benchmarks/late-window.sh
        this.healthPort = (int) integer(options.get("health.port"), 0, 1, 65535);
        Value probeValue = options.get("probe");
        this.probe = probeValue == null ? "auto" : oneOf(probeValue, "auto", "required", "off");
        Value captures = options.get("capture.files");
        this.deleteCaptureFiles = captures == null || oneOf(captures, "keep", "delete").equals("delete");
        Value runtime = options.get("runtime.action");
        this.runtimeAction = runtime == null ? "neutralize" : oneOf(runtime, "neutralize", "warn", "halt");
        Value bind = options.get("health.bind");
        this.healthBind = bind == null ? "127.0.0.1" : nonEmpty(bind);
        Value status = options.get("status.file");
        this.statusFile = status == null ? null : Path.of(nonEmpty(status));
        Value format = options.get("log.format");
        this.logFormat = format == null ? "text" : oneOf(format, "text", "json");
        Value level = options.get("log.level");
        this.logLevel = level == null ? "warn" : oneOf(level, "error", "warn", "info");
        Value on = options.get("enabled");
        this.enabled = on == null || oneOf(on, "true", "false").equals("true");
        Value attachValue = options.get("attach");
        this.attach = attachValue == null ? "warn" : oneOf(attachValue, "warn", "ignore", "refuse");
        Value dir = options.get("probe.dir");
        this.probeDir = dir == null ? null : Path.of(nonEmpty(dir));
    }

    /**
     * Resolves the options of this JVM's guard (agent arguments, its system properties and
     * environment) and keeps them for what reports on the guard later (log lines).
     *
     * <p>The variables are the ones the process was started with (/proc/self/environ): code that
     * ran before the JVM (a preloaded library's constructor) could setenv APP_ENV=dev under a
     * client. Only our variables are taken out of that block, and the JVM's own copy of the
     * environment (System.getenv, which decodes every variable) is not read on a clean start:
     * whether the live environment differs in our variables is the probe's first look's to see
     * (a difference sends the start to the full scan), and {@link #environmentChange} says how.
     */
    public static Config forThisJvm(String agentArgs) throws ConfigException {
        String[] values = new String[JVM_PROPERTIES.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = System.getProperty(JVM_PROPERTIES[i]);
        }
        startProperties = values;
        byte[] block = readStartEnvironment();
        Config config = resolve(agentArgs, System.getProperties(), block == null ? System.getenv() : oursOf(block));
        config.startBlock = block;
        thisJvm = config;
        return config;
    }

    /** The JVM's properties the guard reads after start: {@link #jvmProperty}. */
    private static final String[] JVM_PROPERTIES = {"java.home", "user.dir", "os.arch", "sun.jnu.encoding", "java.io.tmpdir",
        "os.version"};
    private static volatile String[] startProperties;

    /**
     * A property of the JVM ({@code java.home}, {@code user.dir}, {@code os.arch},
     * {@code sun.jnu.encoding}, {@code java.io.tmpdir}, {@code os.version}) as it was when the
     * guard started, before main; read now where the guard did not start (the command line). Never
     * System.getProperty after start: the application can replace System's Properties with a
     * subclass of its own, whose getProperty then runs inside the gate or on the watcher's thread
     * and can walk the stack to the guard's classes and their loader (red team, round 8).
     */
    public static String jvmProperty(String name, String fallback) {
        String[] values = startProperties;
        for (int i = 0; values != null && i < JVM_PROPERTIES.length; i++) {
            if (JVM_PROPERTIES[i].equals(name)) {
                return values[i] == null ? fallback : values[i];
            }
        }
        return System.getProperty(name, fallback);
    }

    /**
     * The warning to give when our variables (PROFGUARD_*, the tag variables) differ between the
     * environment the process was started with and the one the JVM reads now, or when the former
     * could not be read; else null. The options use the former, the operator's values. Reads
     * System.getenv, so it is asked on the full scan's path, not on a clean start's.
     */
    public String environmentChange() {
        if (startBlock == null) {
            // a check that could not run says so: the values may be ones code before the JVM set
            return "could not read /proc/self/environ, the environment this process was started with: the options and "
                    + "the tag are taken from the JVM's copy, which code that ran before the JVM (a preloaded library?) "
                    + "could have changed";
        }
        Map<String, String> atStart = oursOf(startBlock);
        Map<String, String> live = System.getenv();
        List<String> changed = null;
        for (Map.Entry<String, String> entry : atStart.entrySet()) {
            if (!entry.getValue().equals(live.get(entry.getKey()))) {
                changed = changed(changed, entry.getKey());
            }
        }
        for (String name : live.keySet()) {
            if (ours(name) && !atStart.containsKey(name)) {
                changed = changed(changed, name);
            }
        }
        if (changed == null) {
            return null;
        }
        Collections.sort(changed);
        return "the environment was changed inside this process before the JVM read it (" + String.join(", ", changed)
                + "): profguard uses the values the process was started with. Find what sets them (a preloaded library?).";
    }

    private static List<String> changed(List<String> changed, String name) {
        List<String> list = changed == null ? new ArrayList<>() : changed;
        list.add(name);
        return list;
    }

    /** Whether a variable is read by the options: PROFGUARD_* and the tag variables. */
    private static boolean ours(String name) {
        return name.startsWith(VARIABLE_PREFIX) || TAG_VARIABLES.contains(name);
    }

    /**
     * Our variables ({@link #ours}) of an environment block, the first of a name winning as in
     * {@link Tokens#environment}: a String is made only for an entry that starts like one of
     * them, so a clean start does not copy the whole environment into a map.
     */
    static Map<String, String> oursOf(byte[] block) {
        Map<String, String> ours = new LinkedHashMap<>();
        int start = 0;
        for (int i = 0; i <= block.length; i++) {
            if (i == block.length || block[i] == 0) {
                if (i > start && mayBeOurs(block[start])) {
                    String entry = new String(block, start, i - start, java.nio.charset.StandardCharsets.UTF_8);
                    int eq = entry.indexOf('=');
                    if (eq > 0 && ours(entry.substring(0, eq))) {
                        ours.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                }
                start = i + 1;
            }
        }
        return ours;
    }

    /** Whether an entry starting with this byte could be ours: the first letter of PROFGUARD_ or of a tag variable. */
    private static boolean mayBeOurs(byte first) {
        if (first == VARIABLE_PREFIX.charAt(0)) {
            return true;
        }
        for (int i = 0; i < TAG_VARIABLES.size(); i++) {
            if (first == TAG_VARIABLES.get(i).charAt(0)) {
                return true;
            }
        }
        return false;
    }

    /** The environment block the process was started with (/proc/self/environ, bounded), or null. */
    private static byte[] readStartEnvironment() {
        try (java.io.InputStream in = new java.io.FileInputStream("/proc/self/environ")) {
            return in.readNBytes(8 << 20);
        } catch (Exception e) { // IOException, not named: the verifier would load it before main (JDK 17)
            return null;
        }
    }

    /** This JVM's environment as the process was started with it (/proc/self/environ), or null when unread. */
    public Map<String, String> startEnvironment() {
        synchronized (this) {
            if (startEnvironment == null && startBlock != null) {
                startEnvironment = Tokens.environment(startBlock);
            }
            return startEnvironment;
        }
    }

    /** The options of this JVM's guard, or null before (or without) {@link #forThisJvm}. */
    public static Config ofThisJvm() {
        return thisJvm;
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
        try {
            return resolveStrictly(agentArgs, properties, env);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) { // a ConfigException, not named: see ConfigException.raise
            throw ConfigException.raise(e, requestedFormat(agentArgs, properties, env));
        }
    }

    private static Config resolveStrictly(String agentArgs, Properties properties, Map<String, String> env)
            throws ConfigException {
        Map<String, Value> options = new LinkedHashMap<>();
        List<String> ignored = null;
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (name.startsWith(VARIABLE_PREFIX) && !RESERVED_VARIABLES.contains(name)) {
                String key = keyOfVariable(name);
                if (key == null) {
                    // Images set PROFGUARD_HOME, PROFGUARD_VERSION and the like for their own
                    // use: those are not ours to refuse. A near miss of an option is a typo.
                    String near = Typos.nearMiss(name.substring(VARIABLE_PREFIX.length()), true);
                    if (near != null) {
                        throw ConfigException.raise("unknown option environment variable " + name + ": did you mean "
                                + variableOf(near) + "? (known options: " + String.join(", ", KEYS) + ")");
                    }
                    if (ignored == null) {
                        ignored = new ArrayList<>();
                    }
                    ignored.add(name);
                    continue;
                }
                options.put(key, new Value(key, variable.getValue(), "environment variable " + name));
            }
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                if (!KEYS.contains(key)) {
                    throw ConfigException.raise(unknown("system property " + name, key));
                }
                options.put(key, new Value(key, properties.getProperty(name), "system property " + name));
            }
        }
        options.putAll(parseAgentArgs(agentArgs));
        List<String> warnings = List.of();
        if (ignored != null) {
            Collections.sort(ignored);
            warnings = List.of("ignoring environment variable" + (ignored.size() == 1 ? " " : "s ")
                    + String.join(", ", ignored) + (ignored.size() == 1 ? ": not a profguard option" : ": not profguard options")
                    + " (options are PROFGUARD_<KEY> for "
                    + String.join(", ", KEYS) + "). Nothing else changes; rename or unset what is not meant for profguard to silence this.");
        }
        return new Config(options, env, warnings);
    }

    /**
     * The log format asked for, as far as it can be read: a malformed option's own error is
     * written in it (a JSON log pipeline would drop a plain line). Text when unreadable.
     */
    private static LogFormat requestedFormat(String agentArgs, Properties properties, Map<String, String> env) {
        String value = env.get(variableOf("log.format"));
        String property = properties.getProperty(PROPERTY_PREFIX + "log.format");
        if (property != null) {
            value = property;
        }
        if (agentArgs != null) {
            for (String item : agentArgs.split(",", -1)) { // one plain character: String.split's fast path, no regex
                int eq = item.indexOf('=');
                if (eq > 0 && item.substring(0, eq).strip().equals("log.format")) {
                    value = item.substring(eq + 1);
                }
            }
        }
        return value != null && value.strip().equalsIgnoreCase("json") ? LogFormat.JSON : LogFormat.TEXT;
    }

    static Map<String, Value> parseAgentArgs(String agentArgs) throws ConfigException {
        Map<String, Value> options = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return options;
        }
        for (String item : agentArgs.split(",", -1)) { // one plain character: String.split's fast path, no regex
            String trimmed = item.strip();
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw ConfigException.raise("invalid agent argument '" + trimmed
                        + "': expected key=value pairs separated by commas, keys: " + String.join(", ", KEYS));
            }
            String key = trimmed.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw ConfigException.raise(unknown("agent argument " + key, key));
            }
            Value value = new Value(key, trimmed.substring(eq + 1), "agent argument");
            if (options.put(key, value) != null) {
                throw ConfigException.raise("invalid option " + key + " (agent argument): given twice");
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

    private static String unknown(String where, String key) {
        String near = Typos.nearMiss(key, false);
        return "unknown option " + where + (near == null ? "" : ": did you mean " + near + "?")
                + " (known options: " + String.join(", ", KEYS) + ")";
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

    private static String action(Value value) throws ConfigException {
        return value == null ? "refuse" : oneOf(value, "refuse", "neutralize", "warn");
    }

    private static Set<String> productionTags(Value value) throws ConfigException {
        Set<String> tags = new LinkedHashSet<>();
        for (String tag : (value == null ? DEFAULT_PRODUCTION : value.text).replace(';', ',').split(",", -1)) {
            String t = tag.strip().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                throw value.invalid("expected tags or patterns (* and ?) separated by ';' with none empty, e.g. prod;prod-*");
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
        } catch (RuntimeException e) { // NumberFormatException, not named: the verifier would load it before main
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
        } catch (RuntimeException e) { // NumberFormatException, as above
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
        return productionMatch() != null;
    }

    /** The entry of option {@code production} the tag matches (a tag or a pattern), or null. */
    public String productionMatch() {
        if (envTag == null) {
            return null;
        }
        String tag = envTag.toLowerCase(Locale.ROOT);
        for (String pattern : productionOrder) {
            if (matchesTag(pattern, tag)) {
                return pattern;
            }
        }
        return null;
    }

    /**
     * Whether {@code tag} matches {@code pattern}, both lower-cased. A pattern without wildcards,
     * or whose only one is a {@code *} at its end (every default one), is compared here, as
     * {@link Glob} would compare it, so that Glob is not loaded on the path to main (issue #16).
     */
    private static boolean matchesTag(String pattern, String tag) {
        int star = pattern.indexOf('*');
        if (pattern.indexOf('?') >= 0 || star >= 0 && star != pattern.length() - 1) {
            return Glob.matches(pattern, tag);
        }
        return star < 0 ? pattern.equals(tag) : tag.regionMatches(0, pattern, 0, star);
    }

    /** False when option {@code enabled=false} turned the guard off in this JVM. */
    public boolean enabled() {
        return enabled;
    }

    /** Option {@code attach}: what a production JVM open to dynamic agents gets: warn, ignore, refuse. */
    public String attach() {
        return attach;
    }

    /**
     * Whether option {@code attach} applies to this JVM, so that its attach posture is looked at
     * when it starts: in production only. Here, with the option, rather than in the policy, which a
     * clean start does not load.
     */
    public boolean attachApplies() {
        return isProduction();
    }

    /** Option {@code log.level}: error, warn (the default) or info. */
    public String logLevel() {
        return logLevel;
    }

    /** Option {@code probe.dir}: where the probe library is written to be loaded first, or null. */
    public Path probeDir() {
        return probeDir;
    }

    /** Whether the health endpoint or the status file is asked for. */
    public boolean publishesHealth() {
        return healthPort != 0 || statusFile != null;
    }

    /** Where option {@code key} was set ("agent argument", "environment variable ..."), or "default". */
    public String sourceOf(String key) {
        String source = sources.get(key);
        return source == null ? "default" : source;
    }

    /** Lines to warn about once at start (e.g. environment variables ignored); empty when none. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    public Set<String> productionTags() {
        return productionTags;
    }

    public Action action() {
        return Action.valueOf(action.toUpperCase(Locale.ROOT));
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
        return LogFormat.valueOf(logFormat.toUpperCase(Locale.ROOT));
    }

    /** What the watcher does about a client loaded after start-up: neutralize, warn or halt. */
    public RuntimeAction runtimeAction() {
        return RuntimeAction.valueOf(runtimeAction.toUpperCase(Locale.ROOT));
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
        return ProbeMode.valueOf(probe.toUpperCase(Locale.ROOT));
    }

    /** Whether probe=off (without loading ProbeMode: this is asked at every start). */
    public boolean probeOff() {
        return probe.equals("off");
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

        /** Throws what is wrong with this value: {@code throw value.invalid(...)} (see ConfigException.raise). */
        RuntimeException invalid(String expected) throws ConfigException {
            return ConfigException.raise("invalid option " + key + "='" + text + "' (" + source + "): " + expected);
        }
    }
}
