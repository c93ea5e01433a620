package dev.profguard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts programs many times on each JDK given and reports, per program and variant, the median
 * and min-max whole-process wall time, the median peak RSS (GNU time's %M), and the ratio of
 * medians to the no-op agent of the same run.
 *
 * <p>Programs: hello world, and with {@code --large-app JAR} the generated larger application
 * ({@link LargeAppGenerator}). Variants: {@code none}; {@code no-op agent} (an empty premain, the
 * floor every agent pays); {@code profguard}: a clean production start with every default feature
 * on ({@code env=production} and nothing else: probe, load gate, watcher every 250 ms); on hello
 * world also {@code profguard +health +status}, the variant this benchmark measured before issue
 * #16 (health endpoint, status file, watcher every 1 s); with {@code --otel JAR}, on the larger
 * application, the OpenTelemetry Java agent with its exporters off, for context. With
 * {@code --compare OLD_JAR} the variants are instead the no-op agent, the old jar and the new jar
 * ({@code --agent}), both in a clean production start.
 *
 * <p>Every variant runs with {@code -XX:+DisableAttachMechanism}, in a scrubbed environment
 * (no {@code PROFGUARD_*}, {@code LD_PRELOAD}, {@code JAVA_TOOL_OPTIONS}, env tags, {@code OTEL_*}).
 * Runs alternate: each round starts every (program, variant) once, in an order rotated by one each
 * round, after one untimed warm-up round. A run must exit 0 and print exactly what the program
 * prints (a clean start prints nothing else); only the OpenTelemetry agent may add lines.
 *
 * <pre>java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     dev.profguard.bench.StartupBenchmark --runs 30 --agent agent/target/profguard-agent.jar \
 *     [--large-app benchmarks/target/large-app/large-app.jar] [--otel opentelemetry-javaagent.jar] \
 *     [--compare OLD_JAR] [--raw FILE.csv] JAVA_HOME...</pre>
 */
public final class StartupBenchmark {
    static final String NONE = "none";
    static final String NOOP = "no-op agent";
    static final String PROFGUARD = "profguard";
    static final String PROFGUARD_ALL = "profguard +health +status";
    static final String OTEL = "OpenTelemetry agent";
    static final String HELLO = "hello world";
    static final String LARGE = "large app";

    /** Targets of issue #16: time ratio to the no-op agent per program and JDK feature release, and RSS. */
    private static double timeTarget(String program, int feature) {
        return program.equals(HELLO) ? (feature >= 25 ? 1.20 : 1.10) : 1.05;
    }

    private static final double RSS_TARGET_MIB = 4.0;

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    private record Variant(String program, String name, List<String> command, String expected, boolean extraOutputAllowed) {
        String key() {
            return program + " / " + name;
        }
    }

    static int run(String[] args, PrintStream out) throws Exception {
        int runs = 20;
        Path agent = Path.of("agent/target/profguard-agent.jar");
        Path largeApp = null;
        Path otel = null;
        Path old = null;
        Path raw = null;
        List<Path> jdks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--agent" -> agent = Path.of(args[++i]).toAbsolutePath();
                case "--large-app" -> largeApp = Path.of(args[++i]).toAbsolutePath();
                case "--otel" -> otel = Path.of(args[++i]).toAbsolutePath();
                case "--compare" -> old = Path.of(args[++i]).toAbsolutePath();
                case "--raw" -> raw = Path.of(args[++i]).toAbsolutePath();
                default -> jdks.add(Path.of(args[i]));
            }
        }
        if (jdks.isEmpty()) {
            jdks.add(Path.of(System.getProperty("java.home")));
        }
        boolean compare = old != null;
        String baseline = compare ? "profguard old" : NOOP;
        Path work = Files.createTempDirectory("profguard-startup-");
        Path noop = noopAgent(work);
        String classes = Path.of(StartupBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        boolean rss = Files.isExecutable(Path.of("/usr/bin/time"));
        if (!rss) {
            out.println("(no /usr/bin/time: peak RSS not measured; install it with: apt-get install -y time)");
        }
        Writer rawOut = raw == null ? null : Files.newBufferedWriter(raw);
        if (rawOut != null) {
            rawOut.write("jdk,program,variant,round,position,wall_ns,peak_rss_kib,loadavg_1min\n");
        }
        List<String> table = new ArrayList<>();
        List<String> summary = new ArrayList<>();
        table.add("| JDK | program | variant | median ms | min-max ms | median peak RSS MiB | time / " + baseline
                + " | RSS - " + baseline + " MiB |");
        table.add("| --- | --- | --- | --- | --- | --- | --- | --- |");
        if (compare) {
            summary.add("| JDK | program | new / old (95% CI) | new / old, paired | new - old RSS MiB | old / no-op | new / no-op |");
            summary.add("| --- | --- | --- | --- | --- | --- | --- |");
        } else {
            summary.add("| JDK | program | profguard / no-op (95% CI) | paired | target | RSS - no-op MiB | target | met? |");
            summary.add("| --- | --- | --- | --- | --- | --- | --- | --- |");
        }
        for (Path jdk : jdks) {
            String java = jdk.resolve("bin/java").toString();
            String version = version(java);
            int feature = feature(version);
            Map<String, List<Long>> times = new LinkedHashMap<>();
            Map<String, List<Long>> memory = new LinkedHashMap<>();
            for (int round = -1; round < runs; round++) {
                List<Variant> variants = variants(java, classes, largeApp, otel, noop, agent, old, work);
                int shift = Math.floorMod(round, variants.size());
                List<Variant> order = new ArrayList<>(variants.subList(shift, variants.size()));
                order.addAll(variants.subList(0, shift));
                for (int position = 0; position < order.size(); position++) {
                    Variant variant = order.get(position);
                    long[] measured = once(variant, rss, work);
                    if (round < 0) {
                        continue; // warm-up round: page cache, not measured
                    }
                    times.computeIfAbsent(variant.key(), k -> new ArrayList<>()).add(measured[0]);
                    memory.computeIfAbsent(variant.key(), k -> new ArrayList<>()).add(measured[1]);
                    if (rawOut != null) {
                        rawOut.write(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%s%n", version, variant.program(),
                                variant.name(), round, position, measured[0], measured[1], loadAverage()));
                    }
                }
                if (rawOut != null) {
                    rawOut.flush();
                }
            }
            for (String program : List.of(HELLO, LARGE)) {
                String base = program + " / " + baseline;
                if (!times.containsKey(base)) {
                    continue;
                }
                for (String key : times.keySet()) {
                    if (!key.startsWith(program + " / ")) {
                        continue;
                    }
                    List<Long> t = times.get(key);
                    String name = key.substring(program.length() + 3);
                    table.add(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.1f-%.1f | %s | %.3f | %s |", version, program,
                            name, median(t) / 1e6, Collections.min(t) / 1e6, Collections.max(t) / 1e6,
                            rss ? String.format(Locale.ROOT, "%.1f", median(memory.get(key)) / 1024.0) : "n/a",
                            median(t) / median(times.get(base)),
                            rss ? String.format(Locale.ROOT, "%+.1f", (median(memory.get(key)) - median(memory.get(base))) / 1024.0) : "n/a"));
                }
                if (compare) {
                    String oldKey = base;
                    String newKey = program + " / profguard new";
                    String noopKey = program + " / " + NOOP;
                    double[] ci = ratioInterval(times.get(newKey), times.get(oldKey));
                    summary.add(String.format(Locale.ROOT, "| %s | %s | %.3f (%.3f-%.3f) | %.3f | %s | %.3f | %.3f |", version, program,
                            median(times.get(newKey)) / median(times.get(oldKey)), ci[0], ci[1],
                            pairedRatio(times.get(newKey), times.get(oldKey)), rssDiff(rss, memory, newKey, oldKey),
                            median(times.get(oldKey)) / median(times.get(noopKey)),
                            median(times.get(newKey)) / median(times.get(noopKey))));
                } else {
                    String key = program + " / " + PROFGUARD;
                    double ratio = median(times.get(key)) / median(times.get(base));
                    double[] ci = ratioInterval(times.get(key), times.get(base));
                    double target = timeTarget(program, feature);
                    double rssDiff = rss ? (median(memory.get(key)) - median(memory.get(base))) / 1024.0 : Double.NaN;
                    String met = verdict("time", ratio <= target, ci[0] <= target && ci[1] > target) + ", "
                            + (!rss ? "RSS n/a" : rssDiff <= RSS_TARGET_MIB ? "RSS yes" : "RSS **no**");
                    summary.add(String.format(Locale.ROOT, "| %s | %s | %.3f (%.3f-%.3f) | %.3f | ≤ %.2f | %s | ≤ +%.0f | %s |", version, program,
                            ratio, ci[0], ci[1], pairedRatio(times.get(key), times.get(base)), target,
                            rss ? String.format(Locale.ROOT, "%+.1f", rssDiff) : "n/a", RSS_TARGET_MIB, met));
                }
            }
        }
        if (rawOut != null) {
            rawOut.close();
        }
        table.forEach(out::println);
        out.println();
        summary.forEach(out::println);
        out.println();
        out.println("Load average (1 min) at the end: " + loadAverage() + " on " + Runtime.getRuntime().availableProcessors()
                + " cores.");
        out.println("Median of " + runs + " alternating runs per row (after one warm-up round); time / " + baseline
                + " is the ratio of medians; 95% CI: bootstrap of that ratio; paired: median of the per-round ratios.");
        return 0;
    }

    /** The 1-minute load average (/proc/loadavg), or "?": the machine is shared, so the raw data says how busy it was. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** "time yes", or "time **no**", with "(95% CI spans the target)" when the interval holds the target. */
    private static String verdict(String what, boolean met, boolean spans) {
        return what + (met ? " yes" : " **no**") + (spans ? " (CI spans target)" : "");
    }

    private static List<Variant> variants(String java, String classes, Path largeApp, Path otel, Path noop, Path agent, Path old,
                                          Path work) throws IOException {
        List<String> hello = List.of("-cp", classes, Hello.class.getName());
        List<String> large = largeApp == null ? null : List.of("-jar", largeApp.toString());
        String helloOut = "hello\n";
        String largeOut = "large-app ok ";
        List<Variant> variants = new ArrayList<>();
        for (String program : List.of(HELLO, LARGE)) {
            List<String> main = program.equals(HELLO) ? hello : large;
            if (main == null) {
                continue;
            }
            String expected = program.equals(HELLO) ? helloOut : largeOut;
            if (old == null) {
                variants.add(new Variant(program, NONE, command(java, List.of(), main), expected, false));
            }
            variants.add(new Variant(program, NOOP, command(java, List.of("-javaagent:" + noop), main), expected, false));
            if (old != null) {
                variants.add(new Variant(program, "profguard old", command(java, List.of("-javaagent:" + old + "=env=production"), main),
                        expected, false));
                variants.add(new Variant(program, "profguard new", command(java, List.of("-javaagent:" + agent + "=env=production"), main),
                        expected, false));
                continue;
            }
            variants.add(new Variant(program, PROFGUARD, command(java, List.of("-javaagent:" + agent + "=env=production"), main),
                    expected, false));
            if (program.equals(HELLO)) {
                // what run.sh measured before issue #16: every feature on, a fresh port and status file each run
                variants.add(new Variant(program, PROFGUARD_ALL, command(java, List.of("-javaagent:" + agent
                        + "=env=production,health.port=" + freePort() + ",status.file=" + work.resolve("status.json")
                        + ",watch.interval=1s"), main), expected, false));
            } else if (otel != null) {
                variants.add(new Variant(program, OTEL, command(java, List.of("-javaagent:" + otel, "-Dotel.traces.exporter=none",
                        "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none"), main), expected, true));
            }
        }
        return variants;
    }

    private static List<String> command(String java, List<String> options, List<String> main) {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-XX:+DisableAttachMechanism");
        command.addAll(options);
        command.addAll(main);
        return command;
    }

    /** Wall time in ns and peak RSS in KiB (0 when unknown) of one run, which must succeed. */
    private static long[] once(Variant variant, boolean rss, Path work) throws Exception {
        List<String> line = new ArrayList<>();
        Path rssFile = work.resolve("rss.txt");
        if (rss) {
            line.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", rssFile.toString()));
        }
        line.addAll(variant.command());
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).directory(work.toFile());
        scrub(builder.environment());
        long start = System.nanoTime();
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        int status = process.waitFor();
        long elapsed = System.nanoTime() - start;
        String text = new String(output);
        boolean ok = variant.extraOutputAllowed() ? text.contains(variant.expected())
                : variant.expected().endsWith("\n") ? text.equals(variant.expected())
                : text.startsWith(variant.expected()) && text.indexOf('\n') == text.length() - 1;
        if (status != 0 || !ok) {
            throw new IllegalStateException("run failed (exit " + status + ", or output other than the program's): "
                    + String.join(" ", variant.command()) + "\n" + text);
        }
        long kib = rss ? Long.parseLong(Files.readString(rssFile).strip().lines().reduce((x, y) -> y).orElse("0")) : 0;
        return new long[]{elapsed, kib};
    }

    /** The environment of a clean start: nothing that tags, configures or preloads into the JVM. */
    static void scrub(Map<String, String> environment) {
        environment.keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.startsWith("OTEL_") || k.equals("LD_PRELOAD")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("_JAVA_OPTIONS") || k.equals("JDK_JAVA_OPTIONS")
                || k.equals("APP_ENV") || k.equals("ENVIRONMENT") || k.equals("DEPLOY_ENV"));
    }

    private static String rssDiff(boolean rss, Map<String, List<Long>> memory, String a, String b) {
        return rss ? String.format(Locale.ROOT, "%+.1f", (median(memory.get(a)) - median(memory.get(b))) / 1024.0) : "n/a";
    }

    static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    /** Median of the per-round ratios a[i] / b[i] (runs of one round are next to each other in time). */
    private static double pairedRatio(List<Long> a, List<Long> b) {
        List<Long> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(Math.round(1e6 * a.get(i) / (double) b.get(i)));
        }
        return median(ratios) / 1e6;
    }

    /** 95% percentile-bootstrap interval of median(a) / median(b), each resampled on its own. */
    private static double[] ratioInterval(List<Long> a, List<Long> b) {
        Random random = new Random(16);
        int samples = 2000;
        double[] ratios = new double[samples];
        for (int s = 0; s < samples; s++) {
            ratios[s] = median(resample(a, random)) / median(resample(b, random));
        }
        java.util.Arrays.sort(ratios);
        return new double[]{ratios[(int) (samples * 0.025)], ratios[(int) (samples * 0.975) - 1]};
    }

    private static List<Long> resample(List<Long> values, Random random) {
        List<Long> sample = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            sample.add(values.get(random.nextInt(values.size())));
        }
        return sample;
    }

    static Path noopAgent(Path work) throws IOException {
        Path jar = work.resolve("noop-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoopAgent.class.getName());
        String entry = NoopAgent.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             InputStream in = StartupBenchmark.class.getResourceAsStream("/" + entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String version(String java) throws Exception {
        Process process = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        for (String line : text.split("\n")) {
            if (line.strip().startsWith("java.runtime.version = ")) {
                return line.strip().substring("java.runtime.version = ".length()).replaceFirst("[+-].*$", "");
            }
        }
        return java;
    }

    /** The feature release of "17.0.15" (17), or 0. */
    static int feature(String version) {
        String digits = version.replaceFirst("[^0-9].*$", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
}
