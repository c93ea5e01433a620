package dev.profguard.detect;

import dev.profguard.config.Config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A native or Java agent named on a JVM command line or in an options variable:
 * {@code -agentpath:PATH[=opts]}, {@code -agentlib:NAME[=opts]}, {@code -javaagent:JAR[=opts]}.
 *
 * @param token    the whole option as given (put in evidence: it is the evidence)
 * @param file     the library or jar it names, as a path or a bare library file name
 * @param resolved where the file is when it could be found, else null
 */
public record AgentOption(String token, String file, Path resolved) {
    public static List<AgentOption> parseAll(List<String> tokens) {
        List<AgentOption> options = new ArrayList<>();
        for (String token : tokens) {
            AgentOption option = parse(token);
            if (option != null) {
                options.add(option);
            }
        }
        return options;
    }

    static AgentOption parse(String token) {
        if (token.startsWith("-agentpath:")) {
            String path = beforeEquals(token.substring("-agentpath:".length()));
            return path.isEmpty() ? null : new AgentOption(token, path, Path.of(path));
        }
        if (token.startsWith("-javaagent:")) {
            String jar = beforeEquals(token.substring("-javaagent:".length()));
            return jar.isEmpty() ? null : new AgentOption(token, jar, Path.of(jar));
        }
        if (token.startsWith("-agentlib:")) {
            String name = beforeEquals(token.substring("-agentlib:".length()));
            if (name.isEmpty() || name.indexOf('/') >= 0) {
                return null;
            }
            String fileName = "lib" + name + ".so";
            // The JVM looks -agentlib names up in the JDK's lib directory first.
            Path inJdk = Path.of(Config.jvmProperty("java.home", "/nonexistent"), "lib", fileName);
            return new AgentOption(token, fileName, Files.isRegularFile(inJdk) ? inJdk : null);
        }
        return null;
    }

    private static String beforeEquals(String value) {
        int eq = value.indexOf('=');
        return eq < 0 ? value : value.substring(0, eq);
    }

    /**
     * Findings about the agent's file, with the option token as evidence; an absolute path is the
     * file as {@code view}'s process sees it (its own root, e.g. a container's).
     */
    List<Finding> inspect(ProcessView view, Evidence evidence, Source source, String variable) {
        Path located = resolved != null && file.startsWith("/") ? view.file(file) : resolved;
        Path content = located != null && Files.exists(located) ? located : null;
        String where = variable == null ? token : "in " + variable + ": " + token;
        String detail = content == null && file.indexOf('/') >= 0 ? where + "; file does not exist" : where;
        return evidence.library(source, file, null, content, 0, detail, false);
    }
}
