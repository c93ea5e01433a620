package dev.profguard.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JVM options that name files of further options, expanded as the launcher and the JVM read them:
 * {@code @argfile} (the java launcher, JDK 9+, also inside {@code JDK_JAVA_OPTIONS}) and
 * {@code -XX:VMOptionsFile=FILE} (HotSpot's Arguments::parse_options_file, also from an options
 * variable or inside an argument file). Expanded wherever they stand and to a few levels, so that
 * an option is found however deep it was put (red team: JDWP inside a VMOptionsFile named in
 * JAVA_TOOL_OPTIONS). Relative names resolve against the process's own working directory.
 */
final class ArgumentFiles {
    static final int MAX_ARGFILE = 1 << 20;
    static final String VM_OPTIONS_FILE = "-XX:VMOptionsFile=";
    private static final int MAX_DEPTH = 4;

    private ArgumentFiles() {
    }

    /** The tokens with every file they name read in place (the VMOptionsFile token is kept too). */
    static List<String> expand(List<String> tokens, ProcessView view, Source source, List<Finding> findings) {
        List<String> expanded = new ArrayList<>();
        expand(tokens, view, source, findings, expanded, 0);
        return expanded;
    }

    private static void expand(List<String> tokens, ProcessView view, Source source, List<Finding> findings,
                               List<String> into, int depth) {
        for (String token : tokens) {
            String file = null;
            if (token.startsWith("@") && token.length() > 1 && !token.startsWith("@@")) {
                file = token.substring(1);
            } else if (token.startsWith(VM_OPTIONS_FILE) && token.length() > VM_OPTIONS_FILE.length()) {
                into.add(token);
                file = token.substring(VM_OPTIONS_FILE.length());
            } else {
                into.add(token);
            }
            if (file != null) {
                if (depth >= MAX_DEPTH) {
                    findings.add(Finding.unknown(source, "options file " + file + " is named " + MAX_DEPTH
                            + " files deep; not read"));
                } else {
                    expand(read(view, file, source, findings), view, source, findings, into, depth + 1);
                }
            }
        }
    }

    /** An options file's tokens; none when it is gone since launch or not ours to read. */
    private static List<String> read(ProcessView view, String name, Source source, List<Finding> findings) {
        Path file = name.startsWith("/") ? view.file(name) : view.workingDirectory().resolve(name);
        try {
            byte[] bytes = BoundedFiles.readRegular(file, MAX_ARGFILE);
            if (bytes.length > MAX_ARGFILE) {
                findings.add(Finding.unknown(source, "options file " + file + " is larger than " + MAX_ARGFILE
                        + " bytes; not read"));
                return List.of();
            }
            return JvmOptions.tokenize(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // Gone since launch, or not ours to read: the JVM read it at launch, and its mapped
            // libraries are still checked.
            return List.of();
        }
    }
}
