package dev.profguard.detect;

import dev.profguard.rules.Rule;
import dev.profguard.util.Tokens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The environment: libraries named in {@code LD_PRELOAD} and {@code LD_AUDIT} (ld.so(8)), the
 * client's own variables, variables that switch a tool on, and {@code -agentpath}/{@code -agentlib}
 * and other rules' arguments in the variables the JVM and its launcher read options from. Only the matching entry of a variable is ever put in evidence.
 */
public final class EnvironmentDetector implements Detector {
    /** Variables whose content the JVM or the java launcher parse as options. */
    public static final List<String> OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        Map<String, String> env = view.environment().take(Source.VARIABLE, findings);
        if (env == null) {
            return findings;
        }
        // ld.so: LD_PRELOAD is separated by spaces and/or colons, LD_AUDIT by colons.
        libraries(view, findings, evidence, Source.LD_PRELOAD, "LD_PRELOAD", env.get("LD_PRELOAD"), ":" + Tokens.WHITESPACE);
        libraries(view, findings, evidence, Source.LD_AUDIT, "LD_AUDIT", env.get("LD_AUDIT"), ":");
        for (Rule rule : evidence.rules().rules()) {
            for (String variable : rule.variables()) {
                if (env.containsKey(variable)) {
                    findings.add(Finding.variable(rule, variable, "is set; the client reads it"));
                }
            }
        }
        SwitchedOn.settings(env, view, evidence, findings);
        for (String variable : OPTION_VARIABLES) {
            String value = env.get(variable);
            if (value != null) {
                List<String> tokens = ArgumentFiles.expand(JvmOptions.tokenize(value), view, Source.OPTIONS_VARIABLE,
                        findings);
                for (AgentOption option : AgentOption.parseAll(tokens)) {
                    findings.addAll(option.inspect(view, evidence, Source.OPTIONS_VARIABLE, variable));
                }
                SwitchedOn.arguments(tokens, false, Source.OPTIONS_VARIABLE, variable, evidence, findings);
            }
        }
        return findings;
    }

    private static void libraries(ProcessView view, List<Finding> findings, Evidence evidence, Source source,
                                  String variable, String value, String separators) {
        if (value == null || value.isBlank()) {
            return;
        }
        for (String entry : Tokens.words(value, separators)) {
            // ld.so looks a slash-less name up like a DT_NEEDED entry; the loaded-object and
            // mapped-object detectors see the result, so here only the name is checked.
            Path file = entry.startsWith("/") ? view.file(entry) : entry.indexOf('/') >= 0 ? Path.of(entry) : null;
            boolean exists = file != null && Files.exists(file);
            String detail = file != null && !exists ? "file does not exist" : "preloaded";
            for (Finding finding : evidence.library(source, entry, null, exists ? file : null, 0, detail, false)) {
                findings.add(finding.namedBy(variable));
            }
        }
    }
}
