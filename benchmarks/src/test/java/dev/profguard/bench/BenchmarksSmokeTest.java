package dev.profguard.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
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
        long benchmarks = java.util.Arrays.stream(ChecksBenchmark.class.getMethods())
                .filter(m -> m.isAnnotationPresent(org.openjdk.jmh.annotations.Benchmark.class)).count();
        assertEquals(benchmarks, results.size(), "one result per benchmark");
    }

    @Test
    void startupBenchmarkRunsOnEachJdk() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = StartupBenchmark.run(new String[]{"--runs", "1", "--agent", System.getProperty("profguard.bench.agentJar"),
                System.getProperty("profguard.it.jdk17"), System.getProperty("profguard.it.jdk25")},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, table);
        assertTrue(table.contains("| hello world | profguard |") && table.contains("| hello world | no-op agent |"), table);
        assertEquals(2, table.lines().filter(l -> l.contains("| hello world |") && l.contains("≤ 1.")).count(), table);
    }

    @Test
    void largeAppIsGeneratedAndItsClassesAreCounted(@TempDir Path dir) throws Exception {
        Path jar = LargeAppGenerator.generate(dir.resolve("app"), 20);
        assertEquals(3 + LargeAppGenerator.PER_PACKAGE, LargeAppGenerator.countClasses(jar));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = ClassLoadCount.run(new String[]{"--agent", System.getProperty("profguard.bench.agentJar"), "--large-app",
                jar.toString(), "--logs", dir.resolve("logs").toString(), System.getProperty("profguard.it.jdk17")},
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, table);
        assertTrue(table.contains("| large app | none | 0 |") && table.contains(" | " + (3 + LargeAppGenerator.PER_PACKAGE) + " |"),
                table);
    }

    @Test
    void classLoadLinesAreSortedBySource() {
        ClassLoadCount.Counts counts = ClassLoadCount.count(List.of(
                "[0.01s][info][class,load] java.lang.Object source: shared objects file",
                "[0.02s][info][class,load] sun.instrument.TransformerManager source: jrt:/java.instrument",
                "[0.03s][info][class,load] dev.profguard.Agent source: file:/x/profguard-agent.jar",
                "[0.04s][info][class,load] java.lang.ProfguardBridge source: __JVM_LookupDefineClass__",
                "[0.05s][info][class,load] java.lang.invoke.LambdaForm$MH/0x01 source: __JVM_LambdaForm__",
                "[0.06s][info][class,load] dev.profguard.bench.Hello source: file:/x/classes/",
                "[0.07s][info][class,load] dev.profguard.Later source: file:/x/profguard-agent.jar"), "dev.profguard.bench.Hello", null);
        assertEquals(2, counts.ours());
        assertEquals(1, counts.jdkNotCds());
        assertEquals(1, counts.generated());
        assertEquals(1, counts.cds());
    }
}
