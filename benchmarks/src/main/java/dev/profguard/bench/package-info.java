/**
 * Benchmarks: JMH for each check ({@code ChecksBenchmark}), and the start-up benchmark of the
 * whole agent against no agent and a no-op agent ({@link dev.profguard.bench.StartupBenchmark}).
 * Numbers go to benchmarks/RESULTS.md only from real runs; tests here only smoke-run them.
 */
package dev.profguard.bench;
