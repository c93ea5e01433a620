package dev.profguard.bench;

import dev.profguard.rules.RuleSet;
import dev.profguard.scan.Scan;
import dev.profguard.scan.ScanResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The scan inside one JVM, warmed up: what {@code scan} costs once the JVM's start and JIT are
 * paid (scan-bench.sh measures the whole command beside grep).
 * usage: ScanBenchmark RUNS PATH...   prints the median seconds of a run and what one run saw
 */
public final class ScanBenchmark {
    private ScanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        List<Path> paths = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            paths.add(Path.of(args[i]));
        }
        RuleSet rules = RuleSet.load(null);
        ScanResult last = null;
        for (int i = 0; i < 3; i++) {
            last = once(rules, paths);
        }
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            last = once(rules, paths);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        double median = runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;
        System.out.printf("%.4f %s%n", median, last.summary());
    }

    private static ScanResult once(RuleSet rules, List<Path> paths) {
        try (Scan scan = new Scan(rules)) {
            for (Path path : paths) {
                scan.scan(path);
            }
            return scan.result();
        }
    }
}
