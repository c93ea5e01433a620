package dev.profguard.rules;

import dev.profguard.util.Tokens;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the rules format:
 * <pre>
 * # comment
 * [rule mtuner-client]
 * profiler = MTuner's client (rmem)
 * symbols = rmemInit rmemShutDown rmemAlloc
 * symbols.min = 2
 * names = *mtuner* librmem*.so*
 * variables = MTuner_Allocator
 * capture.files = mtuner_capture_*.MTuner
 * shutdown = rmemShutDown
 * marks = mtuner_capture_ .MTuner
 * zero.fill = 1g
 * capture.header = 0040010202 0040010203
 * libraries = libheaptrack_preload.so*
 * variables.match = MALLOC_CONF=*prof:true*
 * requires = libtcmalloc.so*
 * arguments = -agentlib:jdwp=*server=y*
 * tracers = strace ltrace gdb
 * slots = malloc free
 * mallctl = opt.prof
 * strength = warn
 * enabled = false
 * </pre>
 * Lists are separated by spaces or commas; an indented line continues the value above it; a
 * {@code #} after white space starts a comment. Unknown keys, duplicate keys, empty rules and
 * oversized files are errors that name the line that is wrong: a typo must not silently weaken a
 * rule.
 */
public final class RulesParser {
    /**
     * The built-in rules, then those of {@code extraFile} (a rule of the file with a built-in
     * rule's id replaces it; enabled = false removes it), as {@link RuleSet#load} takes them.
     */
    static List<Rule> withBuiltin(Path extraFile) throws RulesException {
        List<Rule> rules = new ArrayList<>(builtin());
        Set<String> ids = new LinkedHashSet<>();
        for (Rule rule : parse(extraFile)) {
            if (!ids.add(rule.id())) {
                throw new RulesException(extraFile + ": rule id '" + rule.id() + "' is defined twice");
            }
            // A built-in rule with the same id is replaced (enabled = false: removed).
            boolean replaced = false;
            for (int i = rules.size() - 1; i >= 0; i--) { // no lambda: this runs before main
                if (rules.get(i).id().equals(rule.id())) {
                    rules.remove(i);
                    replaced = true;
                }
            }
            if (!rule.enabled() && !replaced) {
                throw new RulesException(extraFile + ": rule '" + rule.id() + "' has enabled = false but there is"
                        + " no built-in rule '" + rule.id() + "' to switch off");
            }
            if (rule.enabled()) {
                rules.add(rule);
            }
        }
        return rules;
    }

    /** The built-in rules ({@link BuiltinRules}), parsed. */
    static List<Rule> builtin() {
        try {
            return parse(BuiltinRules.TEXT, "built-in rules");
        } catch (RulesException e) {
            throw new IllegalStateException("profguard has broken built-in rules: " + e.getMessage(), e);
        }
    }

    /** Largest rules file read. */
    public static final int MAX_BYTES = 1 << 20;
    private static final int MAX_RULES = 1_000;
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String ID_CHARS = LETTERS + "0123456789._-";
    private static final String SYMBOL_START = LETTERS + "_";
    private static final String SYMBOL_CHARS = LETTERS + "0123456789_$.@";
    private static final List<String> KEYS = List.of("profiler", "symbols", "symbols.min", "names", "variables",
            "capture.files", "shutdown", "marks", "zero.fill", "capture.header", "libraries", "variables.match",
            "requires", "arguments", "strength", "enabled", "tracers", "slots", "mallctl");
    private static final String VARIABLE_CHARS = SYMBOL_START + "0123456789";

    private RulesParser() {
    }

    public static List<Rule> parse(Path file) throws RulesException {
        byte[] bytes;
        try {
            // Never open a FIFO or a device: reading one could wait forever, before main.
            java.nio.file.attribute.BasicFileAttributes attributes =
                    Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new RulesException("rules file " + file + " is not a regular file ("
                        + (attributes.isDirectory() ? "a directory" : "a FIFO, device or socket") + "); not read");
            }
        } catch (IOException | SecurityException e) {
            throw new RulesException("cannot read rules file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException | SecurityException e) {
            throw new RulesException("cannot read rules file " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        if (bytes.length > MAX_BYTES) {
            throw new RulesException("rules file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new RulesException("rules file " + file + " is not UTF-8 text");
        }
        return parse(text, file.toString());
    }

    public static List<Rule> parse(String text, String source) throws RulesException {
        if (text.length() > MAX_BYTES) {
            throw new RulesException(source + " is larger than " + MAX_BYTES + " bytes");
        }
        List<Rule> rules = new ArrayList<>();
        String id = null;
        int idLine = 0;
        Map<String, String> fields = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        String lastKey = null;
        List<String> lines = lines(text);
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String raw = withoutComment(lines.get(i));
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                fields.put(lastKey, fields.get(lastKey) + " " + line);
                continue;
            }
            lastKey = null;
            if (line.startsWith("[")) {
                if (id != null) {
                    rules.add(build(id, fields, keyLines, source, idLine));
                }
                if (!line.startsWith("[rule ") || !line.endsWith("]")) {
                    throw error(source, lineNo, "expected '[rule <id>]'");
                }
                id = line.substring(6, line.length() - 1).strip();
                if (id.isEmpty() || id.length() > 64 || !allIn(id, 0, ID_CHARS)) {
                    throw error(source, lineNo, "rule id must be 1-64 letters, digits, '.', '_' or '-'");
                }
                idLine = lineNo;
                fields = new LinkedHashMap<>();
                keyLines = new LinkedHashMap<>();
                if (rules.size() >= MAX_RULES) {
                    throw error(source, lineNo, "more than " + MAX_RULES + " rules");
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw error(source, lineNo, "expected 'key = value'");
            }
            if (id == null) {
                throw error(source, lineNo, "key outside a '[rule <id>]' section");
            }
            String key = line.substring(0, eq).strip();
            if (!KEYS.contains(key)) {
                throw error(source, lineNo, "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (fields.put(key, line.substring(eq + 1).strip()) != null) {
                throw error(source, lineNo, "key '" + key + "' given twice");
            }
            keyLines.put(key, lineNo);
            lastKey = key;
        }
        if (id != null) {
            rules.add(build(id, fields, keyLines, source, idLine));
        }
        return rules;
    }

    /** The line without a comment: '#' at its start or after white space, to the end of the line. */
    private static String withoutComment(String raw) {
        int hash = raw.indexOf('#');
        if (hash < 0) {
            return raw; // most lines: one indexOf, not a loop over every character (start-up time)
        }
        for (int i = hash; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && (i == 0 || Character.isWhitespace(raw.charAt(i - 1)))) {
                return raw.substring(0, i);
            }
        }
        return raw;
    }

    /**
     * @param keyLines the line of each key, so that an error names the line that is wrong
     * @param idLine   the rule's header line, for errors about the rule as a whole
     */
    private static Rule build(String id, Map<String, String> fields, Map<String, Integer> keyLines, String source,
                              int idLine) throws RulesException {
        int line = keyLines.getOrDefault("marks", idLine);
        List<String> symbols = list(fields.get("symbols"));
        List<String> names = list(fields.get("names"));
        List<String> variables = list(fields.get("variables"));
        List<String> captures = list(fields.get("capture.files"));
        List<String> marks = list(fields.get("marks"));
        for (String mark : marks) {
            if (mark.length() > 256) {
                throw error(source, line, "rule '" + id + "': marks are at most 256 bytes");
            }
        }
        line = keyLines.getOrDefault("shutdown", idLine);
        String shutdown = fields.get("shutdown");
        if (shutdown != null && (shutdown.isEmpty() || SYMBOL_START.indexOf(shutdown.charAt(0)) < 0
                || !allIn(shutdown, 1, SYMBOL_CHARS))) {
            throw error(source, line, "rule '" + id + "': shutdown must be one symbol name");
        }
        long zeroFill = size(fields.get("zero.fill"), source, keyLines.getOrDefault("zero.fill", idLine), id);
        List<String> headers = headers(fields.get("capture.header"), source, keyLines.getOrDefault("capture.header", idLine), id);
        String enabledText = fields.get("enabled");
        if (enabledText != null && !enabledText.equals("true") && !enabledText.equals("false")) {
            throw error(source, keyLines.get("enabled"), "rule '" + id + "': enabled must be true or false");
        }
        boolean enabled = !"false".equals(enabledText);
        if (!enabled) {
            if (fields.size() > 1) {
                throw error(source, idLine, "rule '" + id + "': a rule with enabled = false switches a built-in rule"
                        + " off and takes no other key");
            }
            return new Rule(id, id, List.of(), 0, List.of(), List.of(), List.of(), null, List.of(), 0, List.of(),
                    true, List.of(), List.of(), List.of(), List.of(), false, List.of(), List.of(), List.of());
        }
        String strength = fields.getOrDefault("strength", "refuse");
        if (!strength.equals("refuse") && !strength.equals("warn")) {
            throw error(source, keyLines.get("strength"), "rule '" + id + "': strength must be refuse or warn");
        }
        List<String> libraries = list(fields.get("libraries"));
        List<String> arguments = list(fields.get("arguments"));
        for (String argument : arguments) {
            if (argument.length() > 256 || allIn(argument, 0, "*?")) { // no lambda: this runs before main
                throw error(source, keyLines.get("arguments"), "rule '" + id + "': '" + argument
                        + "' is not an argument pattern (at most 256 characters, not only wildcards)");
            }
        }
        List<String> settings = list(fields.get("variables.match"));
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            if (eq < 1 || eq == setting.length() - 1 || setting.length() > 256
                    || SYMBOL_START.indexOf(setting.charAt(0)) < 0 || !allIn(setting.substring(0, eq), 1, VARIABLE_CHARS)) {
                throw error(source, keyLines.get("variables.match"), "rule '" + id + "': variables.match takes NAME=GLOB"
                        + " (a variable name, '=', a pattern of the value), not '" + setting + "'");
            }
        }
        List<String> tracers = list(fields.get("tracers"));
        List<String> slots = list(fields.get("slots"));
        List<String> mallctl = list(fields.get("mallctl"));
        for (String control : mallctl) {
            if (control.length() > 128 || !allIn(control, 0, SYMBOL_CHARS)) {
                throw error(source, keyLines.get("mallctl"), "rule '" + id + "': '" + control
                        + "' is not an allocator control name such as opt.prof");
            }
        }
        for (String slot : slots) {
            if (slot.length() > 256 || SYMBOL_START.indexOf(slot.charAt(0)) < 0 || !allIn(slot, 1, SYMBOL_CHARS)) {
                throw error(source, keyLines.get("slots"), "rule '" + id + "': '" + slot + "' is not a symbol name");
            }
        }
        List<String> requires = list(fields.get("requires"));
        if (!requires.isEmpty() && settings.isEmpty()) {
            throw error(source, keyLines.get("requires"), "rule '" + id + "': requires qualifies variables.match,"
                    + " which this rule does not have");
        }
        if (symbols.isEmpty() && names.isEmpty() && variables.isEmpty() && captures.isEmpty() && marks.isEmpty()
                && headers.isEmpty() && libraries.isEmpty() && settings.isEmpty() && arguments.isEmpty()
                && tracers.isEmpty() && slots.isEmpty() && mallctl.isEmpty()) {
            throw error(source, idLine, "rule '" + id + "' looks for nothing");
        }
        line = keyLines.getOrDefault("symbols", idLine);
        for (String symbol : symbols) {
            if (symbol.length() > 256 || SYMBOL_START.indexOf(symbol.charAt(0)) < 0
                    || !allIn(symbol, 1, SYMBOL_CHARS)) {
                throw error(source, line, "rule '" + id + "': '" + symbol + "' is not a symbol name");
            }
        }
        int min = symbols.isEmpty() ? 0 : Math.min(2, symbols.size());
        String minText = fields.get("symbols.min");
        if (minText != null) {
            try {
                min = Integer.parseInt(minText);
            } catch (NumberFormatException e) {
                min = -1;
            }
            if (min < 1 || min > symbols.size()) {
                throw error(source, keyLines.getOrDefault("symbols.min", idLine),
                        "rule '" + id + "': symbols.min must be 1.." + symbols.size());
            }
        }
        String profiler = fields.getOrDefault("profiler", id);
        return new Rule(id, profiler, symbols, min, names, variables, captures, shutdown, marks, zeroFill, headers,
                strength.equals("refuse"), libraries, settings, requires, arguments, true, tracers, slots, mallctl);
    }

    /** Capture-file headers: hex byte strings of 2 to 64 bytes, lower case. */
    private static List<String> headers(String text, String source, int line, String id) throws RulesException {
        List<String> headers = new ArrayList<>();
        for (String item : list(text)) {
            String hex = item.toLowerCase(java.util.Locale.ROOT);
            if (hex.length() < 4 || hex.length() > 128 || hex.length() % 2 != 0 || !allIn(hex, 0, "0123456789abcdef")) {
                throw error(source, line, "rule '" + id + "': capture.header takes hex byte strings of 2 to 64 bytes, not '"
                        + item + "'");
            }
            headers.add(hex);
        }
        return headers;
    }

    /** A byte count with an optional k, m or g suffix (powers of 1024); 0 when absent. */
    private static long size(String text, String source, int line, String id) throws RulesException {
        if (text == null) {
            return 0;
        }
        String digits = text.toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (digits.endsWith("k") || digits.endsWith("m") || digits.endsWith("g")) {
            unit = digits.endsWith("k") ? 1L << 10 : digits.endsWith("m") ? 1L << 20 : 1L << 30;
            digits = digits.substring(0, digits.length() - 1);
        }
        try {
            long value = Long.parseLong(digits);
            if (value > 0 && value <= (1L << 40) / unit) {
                return value * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(source, line, "rule '" + id + "': zero.fill must be a size such as 512m or 1g");
    }

    /** Items separated by white space and/or commas. */
    private static List<String> list(String value) {
        return value == null ? new ArrayList<>() : Tokens.words(value, "," + Tokens.WHITESPACE);
    }

    /** Lines split at \n, with a trailing \r dropped (no regex: this runs before main). */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            start = end + 1;
        }
        return lines;
    }

    /**
     * Whether every character of {@code text} from {@code from} on is in {@code allowed}: ASCII
     * sets compared directly rather than searched with indexOf per character, which on the long
     * symbol lists of the built-in rules cost milliseconds of interpreted start-up.
     */
    private static boolean allIn(String text, int from, String allowed) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = allowed == SYMBOL_CHARS ? isLetterOrDigit(c) || c == '_' || c == '$' || c == '.' || c == '@'
                    : allowed == ID_CHARS ? isLetterOrDigit(c) || c == '.' || c == '_' || c == '-'
                    : allowed == VARIABLE_CHARS ? isLetterOrDigit(c) || c == '_'
                    : allowed.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static RulesException error(String source, int line, String what) {
        return new RulesException(source + ":" + line + ": " + what);
    }
}
