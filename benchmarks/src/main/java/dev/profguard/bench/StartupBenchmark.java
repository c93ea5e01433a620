package dev.profguard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts hello world many times on each JDK given, alternating (a) no agent, (b) a no-op agent it
 * builds itself, (c) profguard in production with every feature on (probe, load gate, watcher,
 * health endpoint, status file) in a clean environment; reports median and min-max wall time,
 * the ratios c/b and c/a, and the median peak RSS of each (GNU time's %M, where /usr/bin/time is).
 *
 * <pre>java -cp "$(cat benchmarks/target/classpath.txt):benchmarks/target/classes" \
 *     dev.profguard.bench.StartupBenchmark --runs 40 --agent agent/target/profguard-agent.jar JAVA_HOME...</pre>
 */
public final class StartupBenchmark {
    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) throws Exception {
        int runs = 20;
        Path agent = Path.of("agent/target/profguard-agent.jar");
        List<Path> jdks = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--agent" -> agent = Path.of(args[++i]);
                default -> jdks.add(Path.of(args[i]));
            }
        }
        if (jdks.isEmpty()) {
            jdks.add(Path.of(System.getProperty("java.home")));
        }
        Path work = Files.createTempDirectory("profguard-startup-");
        Path noop = noopAgent(work);
        String classes = Path.of(StartupBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        boolean rss = Files.isExecutable(Path.of("/usr/bin/time"));
        out.println("| JDK | variant | median ms | min-max ms | median peak RSS MiB |");
        out.println("| --- | --- | --- | --- | --- |");
        for (Path jdk : jdks) {
            String java = jdk.resolve("bin/java").toString();
            Map<String, List<String>> variants = new LinkedHashMap<>();
            variants.put("a none", List.of(java, "-XX:+DisableAttachMechanism", "-cp", classes, Hello.class.getName()));
            variants.put("b no-op agent", List.of(java, "-XX:+DisableAttachMechanism", "-javaagent:" + noop, "-cp", classes,
                    Hello.class.getName()));
            Map<String, List<Long>> times = new LinkedHashMap<>();
            Map<String, List<Long>> memory = new LinkedHashMap<>();
            for (int round = 0; round < runs; round++) {
                // every feature on, each run with a fresh port and status file
                variants.put("c profguard", List.of(java, "-XX:+DisableAttachMechanism", "-javaagent:" + agent
                        + "=env=production,health.port=" + freePort() + ",status.file=" + work.resolve("status.json")
                        + ",watch.interval=1s", "-cp", classes, Hello.class.getName()));
                for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
                    long[] measured = once(variant.getValue(), rss, work);
                    times.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(measured[0]);
                    memory.computeIfAbsent(variant.getKey(), k -> new ArrayList<>()).add(measured[1]);
                }
            }
            String version = version(java);
            for (String name : times.keySet()) {
                List<Long> t = times.get(name);
                out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f-%.1f | %s |%n", version, name, median(t) / 1e6,
                        Collections.min(t) / 1e6, Collections.max(t) / 1e6,
                        rss ? String.format(Locale.ROOT, "%.1f", median(memory.get(name)) / 1024.0) : "n/a");
            }
            double a = median(times.get("a none"));
            double b = median(times.get("b no-op agent"));
            double c = median(times.get("c profguard"));
            out.printf(Locale.ROOT, "| %s | ratios | profguard/no-op %.3f, profguard/none %.3f | | profguard - no-op %s MiB |%n",
                    version, c / b, c / a, rss ? String.format(Locale.ROOT, "%+.1f",
                            (median(memory.get("c profguard")) - median(memory.get("b no-op agent"))) / 1024.0) : "n/a");
        }
        return 0;
    }

    /** Wall time in ns and peak RSS in KiB (0 when unknown) of one run, which must succeed. */
    private static long[] once(List<String> command, boolean rss, Path work) throws Exception {
        List<String> line = new ArrayList<>();
        Path rssFile = work.resolve("rss.txt");
        if (rss) {
            line.addAll(List.of("/usr/bin/time", "-f", "%M", "-o", rssFile.toString()));
        }
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("LD_PRELOAD")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("APP_ENV"));
        long start = System.nanoTime();
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        int status = process.waitFor();
        long elapsed = System.nanoTime() - start;
        String text = new String(output);
        if (status != 0 || !text.startsWith("hello")) {
            throw new IllegalStateException("run failed (" + status + "): " + String.join(" ", command) + "\n" + text);
        }
        long kib = rss ? Long.parseLong(Files.readString(rssFile).strip().lines().reduce((x, y) -> y).orElse("0")) : 0;
        return new long[]{elapsed, kib};
    }

    private static double median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static Path noopAgent(Path work) throws IOException {
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

    private static String version(String java) throws Exception {
        Process process = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        for (String line : text.split("\n")) {
            if (line.strip().startsWith("java.runtime.version = ")) {
                return "JDK " + line.strip().substring("java.runtime.version = ".length());
            }
        }
        return java;
    }
}
