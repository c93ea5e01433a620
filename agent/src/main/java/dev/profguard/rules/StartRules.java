package dev.profguard.rules;

import dev.profguard.config.Config;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The built-in rules as the probe's start-up scan reads them ({@code start_scan.c}): one
 * {@code kind value} per line. Written by the build into the agent jar
 * ({@value #RESOURCE}), from {@link BuiltinRules} through the one parser, so the rules are never
 * written twice; at run time a clean start hands these bytes to the probe and parses nothing.
 * Every field of {@link Rule} must be one the probe knows how to look for (or has a reason not
 * to): a field added to Rule and not here fails the build, so that the probe can never answer
 * "nothing found" for a kind of evidence it does not look at.
 */
public final class StartRules {
    /** Where the agent jar holds them. */
    public static final String RESOURCE = "/META-INF/native/start-rules";

    /** Rule's fields the probe's scan handles, or that say nothing about a process (id, profiler, shutdown). */
    static final List<String> HANDLED = List.of("id", "profiler", "symbols", "symbolsMin", "names", "variables",
            "captureFiles", "shutdown", "marks", "zeroFill", "captureHeaders", "refuses", "libraries", "settings",
            "requires", "arguments", "enabled", "tracers", "slots", "mallctl");

    private StartRules() {
    }

    /** The rules in the probe's line format. */
    public static String text(List<Rule> rules) {
        for (RecordComponent component : Rule.class.getRecordComponents()) {
            if (!HANDLED.contains(component.getName())) {
                throw new IllegalStateException("the probe's start-up scan does not look for rule field '"
                        + component.getName() + "': teach native-probe/src/main/c/start_scan.c and StartRules");
            }
        }
        StringBuilder text = new StringBuilder();
        // The variables a clean start reads from the environment the process started with (the
        // options, the tag): the probe compares them with the live ones (a difference is the full
        // scan's to tell).
        text.append("own ").append(Config.VARIABLE_PREFIX).append("*\n");
        lines(text, "own", Config.TAG_VARIABLES);
        for (Rule rule : rules) {
            if (!rule.enabled()) {
                continue; // switched off: nothing to look for
            }
            text.append("rule ").append(rule.id()).append('\n');
            text.append("strength ").append(rule.strengthWord()).append('\n');
            lines(text, "symbol", rule.symbols());
            text.append("symbols.min ").append(rule.symbolsMin()).append('\n');
            lines(text, "name", rule.names());
            lines(text, "variable", rule.variables());
            lines(text, "capture", rule.captureFiles());
            lines(text, "header", rule.captureHeaders());
            lines(text, "mark", rule.marks());
            lines(text, "library", rule.libraries());
            lines(text, "setting", rule.settings());
            lines(text, "requires", rule.requires());
            lines(text, "argument", rule.arguments());
            lines(text, "tracer", rule.tracers());
            lines(text, "slot", rule.slots()); // audited by the watcher's ticks, not at start-up, on either side
            lines(text, "mallctl", rule.mallctl());
            if (rule.zeroFill() > 0) {
                text.append("zerofill ").append(rule.zeroFill()).append('\n');
            }
        }
        return text.toString();
    }

    private static void lines(StringBuilder text, String kind, List<String> values) {
        for (String value : values) {
            if (value.isEmpty() || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalStateException("a built-in " + kind + " cannot be written as one line: " + value);
            }
            text.append(kind).append(' ').append(value).append('\n');
        }
    }

    /** Build step: writes the built-in rules to the file named by the one argument. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out.getParent());
        Files.write(out, text(RuleSet.builtin()).getBytes(StandardCharsets.UTF_8));
    }
}
