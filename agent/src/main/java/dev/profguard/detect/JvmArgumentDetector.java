package dev.profguard.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code -agentpath}, {@code -agentlib}, {@code -javaagent} and the rules' {@code arguments} on the process's
 * command line, including those inside {@code @argfiles} (expanded by the java launcher, JDK 9+) and
 * {@code -XX:VMOptionsFile=FILE} (read by the JVM itself). Options from
 * {@code JAVA_TOOL_OPTIONS} and friends are the environment detector's.
 */
public final class JvmArgumentDetector implements Detector {

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        List<String> arguments = view.arguments().take(Source.JVM_ARGUMENT, findings);
        if (arguments == null) {
            return findings;
        }
        List<String> tokens = ArgumentFiles.expand(arguments, view, Source.JVM_ARGUMENT, findings);
        for (AgentOption option : AgentOption.parseAll(tokens)) {
            findings.addAll(option.inspect(view, evidence, Source.JVM_ARGUMENT, null));
        }
        SwitchedOn.arguments(tokens, true, Source.JVM_ARGUMENT, null, evidence, findings);
        return findings;
    }
}
