package dev.profguard.detect;

import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tool switched on at launch rather than by its code alone: a variable whose value turns it on
 * (rules' {@code variables.match}, qualified by {@code requires}) or a JVM argument that does
 * (rules' {@code arguments}). Called by the environment and JVM argument detectors only when a rule
 * has such keys; the values themselves are never put in evidence, only the pattern they match.
 */
final class SwitchedOn {
    /** Launcher options that take the next token as their value. */
    private static final List<String> WITH_VALUE = List.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--limit-modules", "--add-reads", "--add-exports", "--add-opens",
            "--patch-module", "--source", "--enable-native-access");

    private SwitchedOn() {
    }

    /** Findings for the environment's variables that match a rule's {@code variables.match}. */
    static void settings(Map<String, String> env, ProcessView view, Evidence evidence, List<Finding> findings) {
        List<MappedObject> mapped = null;
        for (Rule rule : evidence.rules().rules()) {
            for (String setting : rule.settings()) {
                String name = setting.substring(0, setting.indexOf('='));
                String value = env.get(name);
                if (value == null || rule.matchingSetting(name, value) == null) {
                    continue;
                }
                String matches = "matches " + setting.substring(name.length() + 1);
                if (rule.requires().isEmpty()) {
                    findings.add(Finding.setting(rule, Strength.STRONG, name, matches + ": switched on"));
                    continue;
                }
                if (mapped == null) { // read only on this path: a clean start never gets here
                    mapped = view.mappedObjects().value();
                    mapped = mapped == null ? List.of() : mapped;
                }
                String provider = null;
                for (MappedObject object : mapped) {
                    if (rule.isRequired(Evidence.fileName(object.path()))) {
                        provider = object.path();
                        break;
                    }
                }
                findings.add(provider != null
                        ? Finding.setting(rule, Strength.STRONG, name, matches + ": switched on, " + provider + " is loaded")
                        : Finding.setting(rule, Strength.WEAK, name, matches + ", but none of "
                                + String.join(" ", rule.requires()) + " is loaded: it switches nothing on yet"));
            }
        }
    }

    /**
     * Findings for JVM options matching a rule's {@code arguments}.
     *
     * @param commandLine whether {@code tokens} is a whole command line (argv[0], then options up to
     *                    the main class or {@code -jar}, then the application's own arguments, which
     *                    are not the JVM's and are not matched); false for an options variable
     * @param variable    the options variable they come from, or null
     */
    static void arguments(List<String> tokens, boolean commandLine, Source source, String variable,
                          Evidence evidence, List<Finding> findings) {
        List<String> options = commandLine ? jvmOptions(tokens) : tokens;
        for (Rule rule : evidence.rules().rules()) {
            if (rule.arguments().isEmpty()) {
                continue;
            }
            for (String option : options) {
                String glob = rule.matchingArgument(option);
                if (glob != null) {
                    findings.add(Finding.argument(rule, source, variable, option + " (matches " + glob + ")"));
                }
            }
        }
    }

    /** The JVM's options on a java command line: after argv[0], up to the main class, -jar or a module. */
    static List<String> jvmOptions(List<String> tokens) {
        List<String> options = new ArrayList<>();
        for (int i = 1; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (!token.startsWith("-") || token.equals("-jar") || token.equals("-m") || token.equals("--module")
                    || token.startsWith("--module=")) {
                break;
            }
            options.add(token);
            if (WITH_VALUE.contains(token)) {
                i++;
            }
        }
        return options;
    }
}
