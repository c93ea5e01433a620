package dev.profguard.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmarks compile and run (one short iteration each); no timing is asserted here. */
class BenchmarksSmokeTest {
    @Test
    void everyJmhBenchmarkRunsOnce() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(ChecksBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .build()).run();
        assertEquals(13, results.size(), "one result per benchmark");
    }

    @Test
    void startupBenchmarkRunsOnEachJdk() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = StartupBenchmark.run(new String[]{"--runs", "1", "--agent", System.getProperty("profguard.bench.agentJar"),
                System.getProperty("profguard.it.jdk17"), System.getProperty("profguard.it.jdk25")},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, table);
        assertTrue(table.contains("| c profguard |") && table.contains("profguard/no-op"), table);
        assertEquals(2, table.lines().filter(l -> l.contains("| ratios |")).count(), table);
    }
}
