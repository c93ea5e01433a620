package dev.profguard.it;

import dev.profguard.it.app.HelloApp;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a real JVM with the real agent jar: builds the command line, runs it with a timeout in
 * its own working directory, returns exit status, stdout and stderr.
 */
public final class Jvm {
    public static final Path AGENT = Path.of(required("profguard.it.agentJar"));
    public static final Path FIXTURES = Path.of(required("profguard.it.fixtures"));
    /** Variables of the test machine that would change the verdict; each test sets its own. */
    private static final List<String> SCRUBBED = List.of("APP_ENV", "ENVIRONMENT", "DEPLOY_ENV", "LD_PRELOAD",
            "LD_AUDIT", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "MTuner_Allocator", "MALLOC_CONF",
            "_RJEM_MALLOC_CONF", "HEAPPROFILE", "CPUPROFILE", "MALLOC_TRACE", "DUMP_HEAPTRACK_OUTPUT");

    private final Jdk jdk;
    private final Path workDir;
    private final List<String> prefix = new ArrayList<>();
    /**
     * A hardened launch by default: with attach open, a production JVM gets one WARN line about it
     * (AttachPostureTest covers that line); the other tests assert on everything else.
     */
    private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+DisableAttachMechanism"));
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Path> classpath = new ArrayList<>();
    private String agentArgs;
    private Path agentJar = AGENT;
    private boolean withAgent = true;
    private String mainClass = HelloApp.class.getName();
    private Path sourceFile;
    private List<String> programArgs = List.of();

    private Jvm(Jdk jdk, Path workDir) {
        this.jdk = jdk;
        this.workDir = workDir;
        classpath.add(codeSource(HelloApp.class));
    }

    public static Jvm on(Jdk jdk, Path workDir) {
        if (!Files.isRegularFile(AGENT)) {
            throw new IllegalStateException("agent jar missing at " + AGENT + ": run 'mvn verify', not 'mvn test'");
        }
        return new Jvm(jdk, workDir);
    }

    /** {@code -javaagent:profguard-agent.jar=ARGS}; null for no arguments. */
    public Jvm agentArgs(String args) {
        this.agentArgs = args;
        return this;
    }

    /** Another agent jar than the one the build made (e.g. a corrupted copy). */
    public Jvm agentJar(Path jar) {
        this.agentJar = jar;
        return this;
    }

    /** Leaves dynamic attach open (the JVM's default). */
    public Jvm attachOpen() {
        jvmOptions.remove("-XX:+DisableAttachMechanism");
        return this;
    }

    public Jvm noAgentOption() {
        this.withAgent = false;
        return this;
    }

    public Jvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Jvm preload(String fixture) {
        return env("LD_PRELOAD", fixture(fixture).toString());
    }

    public Jvm option(String jvmOption) {
        jvmOptions.add(jvmOption);
        return this;
    }

    /**
     * {@code --enable-native-access=ALL-UNNAMED} on JDKs with JEP 472's check (not JDK 17): for an
     * application that loads native code itself, whose own load is a restricted call there.
     */
    public Jvm applicationNativeAccess() {
        return jdk.name().equals("JDK 17") ? this : option("--enable-native-access=ALL-UNNAMED");
    }

    /** Runs the JVM under another command, e.g. unshare. */
    public Jvm wrappedIn(List<String> command) {
        prefix.addAll(command);
        return this;
    }

    public Jvm classpath(Path entry) {
        classpath.add(entry);
        return this;
    }

    public Jvm main(Class<?> main, String... args) {
        this.mainClass = main.getName();
        this.programArgs = List.of(args);
        return this;
    }

    /** Runs a single source file with the JDK's source launcher instead of a class (JDK 11+). */
    public Jvm sourceFile(Path source, String... args) {
        this.sourceFile = source;
        this.programArgs = List.of(args);
        return this;
    }

    public List<String> command() {
        List<String> command = new ArrayList<>(prefix);
        command.add(jdk.java().toString());
        if (withAgent) {
            command.add("-javaagent:" + agentJar + (agentArgs == null ? "" : "=" + agentArgs));
        }
        command.addAll(jvmOptions);
        if (sourceFile != null) {
            command.add(sourceFile.toString());
            command.addAll(programArgs);
            return command;
        }
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(programArgs);
        return command;
    }

    public Run run() throws IOException, InterruptedException {
        List<String> command = command();
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> SCRUBBED.contains(k) || k.startsWith("PROFGUARD_"));
        builder.environment().putAll(env);
        Path out = Files.createTempFile(workDir, "stdout", ".txt");
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("JVM did not finish in 120 s: " + command);
        }
        return new Run(command, env, process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    public static Path fixture(String name) {
        Path file = FIXTURES.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("native fixture missing: " + file + " (built by it-tests/src/test/c/build.sh)");
        }
        return file;
    }

    public static Path codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(property + " is not set: run the tests through Maven (mvn verify)");
        }
        return value;
    }

    /** What a JVM run gave. */
    public record Run(List<String> command, Map<String, String> env, int exitStatus, String stdout, String stderr) {
        public boolean mainRan() {
            return stdout.contains(HelloApp.MARKER);
        }

        /** stderr lines that profguard wrote (text or JSON). */
        public List<String> profguardLines() {
            return stderr.lines().filter(l -> l.startsWith("profguard:") || l.startsWith("{\"time\"")).toList();
        }

        /** The only profguard line; fails when there is none or more than one. */
        public String onlyProfguardLine() {
            List<String> lines = profguardLines();
            if (lines.size() != 1) {
                throw new AssertionError("expected exactly one profguard line, got " + lines.size() + "\n" + this);
            }
            return lines.get(0);
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nenv: " + env + "\nexit status: " + exitStatus
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "---";
        }
    }
}
