package dev.profguard.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code -agentpath}, {@code -agentlib}, {@code -javaagent} and the rules' {@code arguments} on the process's
 * command line, including those inside {@code @argfiles} (expanded by the java launcher, JDK 9+) and
 * {@code -XX:VMOptionsFile=FILE} (read by the JVM itself). Options from
 * {@code JAVA_TOOL_OPTIONS} and friends are the environment detector's.
 */
public final class JvmArgumentDetector implements Detector {
    static final int MAX_ARGFILE = 1 << 20;
    /** HotSpot reads further options from this file (Arguments::parse_options_file). */
    static final String VM_OPTIONS_FILE = "-XX:VMOptionsFile=";

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        List<String> arguments = view.arguments().take(Source.JVM_ARGUMENT, findings);
        if (arguments == null) {
            return findings;
        }
        List<String> tokens = new ArrayList<>();
        for (String argument : arguments) {
            if (argument.startsWith("@") && argument.length() > 1 && !argument.startsWith("@@")) {
                expand(view.workingDirectory().resolve(argument.substring(1)), tokens, findings);
            } else if (argument.startsWith(VM_OPTIONS_FILE) && argument.length() > VM_OPTIONS_FILE.length()) {
                tokens.add(argument); // the JVM reads more options from that file (-agentpath among them)
                expand(view.workingDirectory().resolve(argument.substring(VM_OPTIONS_FILE.length())), tokens, findings);
            } else {
                tokens.add(argument);
            }
        }
        for (AgentOption option : AgentOption.parseAll(tokens)) {
            findings.addAll(option.inspect(view, evidence, Source.JVM_ARGUMENT, null));
        }
        SwitchedOn.arguments(tokens, true, Source.JVM_ARGUMENT, null, evidence, findings);
        return findings;
    }

    /** @param file the argument file, resolved against the process's own working directory */
    private static void expand(Path file, List<String> tokens, List<Finding> findings) {
        try {
            byte[] bytes = BoundedFiles.readRegular(file, MAX_ARGFILE);
            if (bytes.length > MAX_ARGFILE) {
                findings.add(Finding.unknown(Source.JVM_ARGUMENT, "argument file " + file
                        + " is larger than " + MAX_ARGFILE + " bytes; not read"));
                return;
            }
            tokens.addAll(JvmOptions.tokenize(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            // Gone since launch, or not ours to read: the JVM read it at launch, and its mapped
            // libraries are still checked.
        }
    }
}
