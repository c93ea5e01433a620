package dev.profguard.it;

import dev.profguard.it.app.HelloApp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM started in the background for tests that act on it while it runs (attach, jcmd). */
final class RunningJvm implements AutoCloseable {
    final Process process;
    private final Path out;
    private final Path err;

    RunningJvm(List<String> command, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("APP_ENV") || k.equals("LD_PRELOAD"));
        builder.environment().putAll(env);
        out = Files.createTempFile(dir, "running", ".out");
        err = Files.createTempFile(dir, "running", ".err");
        process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stdout().contains(HelloApp.MARKER) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    String stdout() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Sends a line to its stdin (and closes it). */
    void send(String line) throws IOException {
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    int await() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the JVM did not end in 60 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
