package dev.profguard.ops;

import dev.profguard.act.PublishedState;
import dev.profguard.config.Config;
import dev.profguard.config.ConfigException;
import dev.profguard.detect.BoundedFiles;
import dev.profguard.detect.EnvironmentDetector;
import dev.profguard.detect.JvmOptions;
import dev.profguard.detect.OpenFile;
import dev.profguard.detect.ProcessView;
import dev.profguard.util.Tokens;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The profguard options a target process runs with, read from outside as its own guard would
 * resolve them: the agent argument of a {@code -javaagent} naming profguard's jar (on its command
 * line or in its options variables), its {@code -Dprofguard.*} properties, and its
 * {@code PROFGUARD_*} and tag variables. Only these of its environment are held.
 */
final class TargetOptions {
    private static final int MAX_STATE = 64 * 1024;

    private final String agentArgs;
    private final Properties properties;
    private final Map<String, String> variables;
    private final boolean guarded;
    private final List<String> sources;

    private TargetOptions(String agentArgs, Properties properties, Map<String, String> variables, boolean guarded,
                          List<String> sources) {
        this.agentArgs = agentArgs;
        this.properties = properties;
        this.variables = variables;
        this.guarded = guarded;
        this.sources = sources;
    }

    static TargetOptions of(ProcessView view) {
        List<String> tokens = new ArrayList<>();
        List<String> arguments = view.arguments().value();
        if (arguments != null) {
            tokens.addAll(arguments);
        }
        Map<String, String> env = view.environment().value();
        env = env == null ? Map.of() : env;
        for (String variable : EnvironmentDetector.OPTION_VARIABLES) {
            if (env.get(variable) != null) {
                tokens.addAll(JvmOptions.tokenize(env.get(variable)));
            }
        }
        String agentArgs = null;
        boolean guarded = false;
        Properties properties = new Properties();
        List<String> sources = new ArrayList<>();
        for (String token : tokens) {
            if (token.startsWith("-javaagent:")) {
                String value = token.substring("-javaagent:".length());
                int eq = value.indexOf('=');
                String jar = eq < 0 ? value : value.substring(0, eq);
                if (isProfguard(view, jar)) {
                    guarded = true;
                    if (eq >= 0 && agentArgs == null) { // the JVM runs the agent once: the first one's options
                        agentArgs = value.substring(eq + 1);
                        sources.add("agent argument");
                    }
                }
            } else if (token.startsWith("-D" + "profguard.")) {
                int eq = token.indexOf('=');
                properties.setProperty(eq < 0 ? token.substring(2) : token.substring(2, eq), eq < 0 ? "" : token.substring(eq + 1));
                sources.add("system property " + (eq < 0 ? token.substring(2) : token.substring(2, eq)));
            }
        }
        Map<String, String> variables = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : env.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith("PROFGUARD_") || Config.TAG_VARIABLES.contains(name)) {
                variables.put(name, entry.getValue());
                sources.add("environment variable " + name);
            }
        }
        return new TargetOptions(agentArgs, properties, variables, guarded, sources);
    }

    /** The target's config; {@code env}, when given to check, replaces the target's own tag. */
    Config resolve(String env) throws ConfigException {
        String args = agentArgs;
        Properties props = properties;
        if (env != null) {
            StringBuilder kept = new StringBuilder();
            if (args != null) {
                for (String item : Tokens.split(args, ",")) {
                    if (!item.strip().startsWith("env=")) {
                        kept.append(kept.length() == 0 ? "" : ",").append(item);
                    }
                }
            }
            args = kept.append(kept.length() == 0 ? "" : ",").append("env=").append(env).toString();
        }
        return Config.resolve(args, props, variables);
    }

    /** Whether the target runs profguard's agent. */
    boolean guarded() {
        return guarded;
    }

    /** Where its options came from, e.g. "agent argument", "environment variable PROFGUARD_ENV". */
    List<String> sources() {
        return sources;
    }

    /** A jar whose manifest names profguard's agent class (read only if it is a regular file). */
    private static boolean isProfguard(ProcessView view, String jar) {
        if (jar.isEmpty()) {
            return false;
        }
        Path file = jar.startsWith("/") ? view.file(jar) : view.workingDirectory().resolve(jar);
        if (BoundedFiles.notRegular(file) != null) {
            return false;
        }
        try (JarFile opened = new JarFile(file.toFile())) {
            Manifest manifest = opened.getManifest();
            return manifest != null && "dev.profguard.Agent".equals(manifest.getMainAttributes().getValue("Premain-Class"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * What the guard inside the target published as switched off ("RULE PATH" items), read from
     * its own descriptor. Trusted for what it lists and nothing else: only that process can have
     * written it, and the state's pid must be the target's; a client it does not list, or
     * strong evidence of another kind (an open capture file), is still reported found.
     */
    static Set<String> switchedOff(ProcessView view, long pid, boolean guarded) {
        Set<String> switched = new HashSet<>();
        if (!guarded) {
            return switched; // no guard runs there: a state file in it is not the guard's word
        }
        List<OpenFile> files = view.openFiles().value();
        if (files == null) {
            return switched;
        }
        for (OpenFile file : files) {
            if (!file.target().endsWith("/" + PublishedState.NAME + " (deleted)")) {
                continue;
            }
            byte[] bytes;
            try {
                bytes = BoundedFiles.readRegular(file.link(), MAX_STATE);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            String[] lines = new String(bytes, 0, Math.min(bytes.length, MAX_STATE), StandardCharsets.UTF_8).split("\n");
            if (lines.length < 2 || !lines[0].equals("profguard-state 1") || !lines[1].equals("pid " + pid)) {
                continue;
            }
            for (int i = 2; i < lines.length; i++) {
                if (lines[i].startsWith("switched-off ")) {
                    switched.add(lines[i].substring("switched-off ".length()).replace("\\n", "\n"));
                }
            }
        }
        return switched;
    }
}
