package dev.profguard.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Counts, from {@code -Xlog:class+load}, what each variant loads before the application's main
 * class: classes of profguard's jar ({@code dev.profguard.*} outside this benchmark package, and
 * whatever else its jar defines), JDK classes not from the CDS archive (from {@code jrt:} or the
 * modules file), and generated ones (hidden classes, lambda forms, redefinitions). With
 * {@code --large-app JAR} it also counts that program's own classes loaded in a whole run
 * (the issue asks for at least 1,500). One run per JDK and variant, in a clean production start
 * ({@code env=production}, {@code -XX:+DisableAttachMechanism}, scrubbed environment). The logs
 * and the list of each variant's classes before main are kept in {@code --logs DIR}.
 *
 * <pre>java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     dev.profguard.bench.ClassLoadCount --agent agent/target/profguard-agent.jar \
 *     [--large-app JAR] [--logs DIR] JAVA_HOME...</pre>
 */
public final class ClassLoadCount {
    /** The budget of profguard classes loaded before main. */
    private static final int BUDGET = 10;

    private ClassLoadCount() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /** Counts of one log, up to the main class. */
    record Counts(int ours, int jdkNotCds, int generated, int cds, int all, List<String> oursNames, List<String> jdkNames,
                  int appClasses) {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Path agent = Path.of("agent/target/profguard-agent.jar");
        Path largeApp = null;
        Path logs = null;
        List<Path> jdks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = Path.of(args[++i]).toAbsolutePath();
                case "--large-app" -> largeApp = Path.of(args[++i]).toAbsolutePath();
                case "--logs" -> logs = Path.of(args[++i]).toAbsolutePath();
                default -> jdks.add(Path.of(args[i]));
            }
        }
        if (jdks.isEmpty()) {
            jdks.add(Path.of(System.getProperty("java.home")));
        }
        Path work = Files.createTempDirectory("profguard-classes-");
        if (logs == null) {
            logs = work;
        }
        Files.createDirectories(logs);
        Path noop = StartupBenchmark.noopAgent(work);
        String classes = Path.of(ClassLoadCount.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        out.println("| JDK | program | variant | profguard classes before main (budget " + BUDGET + ") | JDK classes not from CDS"
                + " before main | generated (hidden, lambda forms, redefined) before main | from CDS before main | app classes loaded |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Path jdk : jdks) {
            String java = jdk.resolve("bin/java").toString();
            String version = StartupBenchmark.version(java);
            String tag = "jdk" + StartupBenchmark.feature(version);
            List<String[]> programs = new ArrayList<>();
            programs.add(new String[]{StartupBenchmark.HELLO, "hello", Hello.class.getName(), "-cp", classes, Hello.class.getName()});
            if (largeApp != null) {
                programs.add(new String[]{StartupBenchmark.LARGE, "large", LargeAppGenerator.MAIN_CLASS, "-jar", largeApp.toString()});
            }
            for (String[] program : programs) {
                String[][] variants = {
                        {StartupBenchmark.NONE, "none", null},
                        {StartupBenchmark.NOOP, "noop", "-javaagent:" + noop},
                        {StartupBenchmark.PROFGUARD, "profguard", "-javaagent:" + agent + "=env=production"}};
                for (String[] variant : variants) {
                    Path log = logs.resolve("class-load-" + tag + "-" + program[1] + "-" + variant[1] + ".log");
                    Files.deleteIfExists(log);
                    List<String> command = new ArrayList<>(List.of(java, "-XX:+DisableAttachMechanism",
                            "-Xlog:class+load=info:file=" + log));
                    if (variant[2] != null) {
                        command.add(variant[2]);
                    }
                    command.addAll(List.of(program).subList(3, program.length));
                    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
                    StartupBenchmark.scrub(builder.environment());
                    Process process = builder.start();
                    String text = new String(process.getInputStream().readAllBytes());
                    int status = process.waitFor();
                    if (status != 0) {
                        throw new IllegalStateException("run failed (" + status + "): " + String.join(" ", command) + "\n" + text);
                    }
                    Counts counts = count(Files.readAllLines(log), program[2], largeApp == null ? null : largeApp.getFileName().toString());
                    Path list = logs.resolve("before-main-" + tag + "-" + program[1] + "-" + variant[1] + ".txt");
                    List<String> lines = new ArrayList<>();
                    counts.oursNames().forEach(n -> lines.add("profguard " + n));
                    counts.jdkNames().forEach(n -> lines.add("jdk-not-cds " + n));
                    Files.write(list, lines);
                    out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %d | %d | %s |%n", version, program[0], variant[0], counts.ours(),
                            counts.jdkNotCds(), counts.generated(), counts.cds(),
                            program[0].equals(StartupBenchmark.LARGE) ? Integer.toString(counts.appClasses()) : "");
                }
            }
        }
        out.println();
        out.println("Counted from -Xlog:class+load, one run each, up to the line of the main class; the names are in " + logs
                + "/before-main-*.txt. \"profguard\": distinct names of dev.profguard.* (outside dev.profguard.bench) and"
                + " anything else loaded from the agent jar; a class defined twice (from the jar, then redefined) counts once.");
        return 0;
    }

    /** Counts the lines of one class+load log up to the main class; app classes over the whole log. */
    static Counts count(List<String> log, String mainClass, String appJar) {
        Set<String> ours = new LinkedHashSet<>();
        Set<String> jdk = new LinkedHashSet<>();
        int generated = 0;
        int cds = 0;
        int all = 0;
        int app = 0;
        boolean beforeMain = true;
        for (String line : log) {
            int tag = line.indexOf("[class,load] ");
            if (tag < 0) {
                continue;
            }
            String rest = line.substring(tag + "[class,load] ".length()).strip();
            int space = rest.indexOf(' ');
            String name = space < 0 ? rest : rest.substring(0, space);
            int at = rest.indexOf(" source: ");
            String source = at < 0 ? "" : rest.substring(at + " source: ".length());
            if (appJar != null && source.startsWith("file:") && source.endsWith(appJar)) {
                app++;
            }
            if (name.equals(mainClass)) {
                beforeMain = false;
            }
            if (!beforeMain) {
                continue;
            }
            all++;
            boolean agentClass = (name.startsWith("dev.profguard.") && !name.startsWith("dev.profguard.bench."))
                    || source.contains("profguard-agent") || name.toLowerCase(Locale.ROOT).contains("profguard");
            if (agentClass && !name.startsWith("dev.profguard.bench.")) {
                ours.add(name);
            } else if (source.startsWith("shared objects file")) {
                cds++;
            } else if (source.startsWith("jrt:/") || source.endsWith("/lib/modules")) {
                jdk.add(name);
            } else if (!source.startsWith("file:")) {
                generated++;
            }
        }
        return new Counts(ours.size(), jdk.size(), generated, cds, all, new ArrayList<>(ours), new ArrayList<>(jdk), app);
    }
}
