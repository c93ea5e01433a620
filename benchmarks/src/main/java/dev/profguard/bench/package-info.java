/**
 * Benchmarks: JMH for each check ({@code ChecksBenchmark}); the start-up benchmark of the whole
 * agent against no agent, a no-op agent and, for context, the OpenTelemetry agent, on hello world
 * and a generated larger application ({@link dev.profguard.bench.StartupBenchmark},
 * {@link dev.profguard.bench.LargeAppGenerator}); and the count of classes each loads before main
 * ({@link dev.profguard.bench.ClassLoadCount}). benchmarks/run.sh runs them all.
 * Numbers go to benchmarks/RESULTS.md only from real runs; tests here only smoke-run them.
 */
package dev.profguard.bench;
