package dev.profguard.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code java -jar profguard-agent.jar COMMAND ARGS...} (check, scan), run to its end. */
record AgentCommand(int status, String stdout, String stderr) {
    static AgentCommand run(Jdk jdk, Path dir, String... args) throws Exception {
        return run(List.of(), jdk, dir, args);
    }

    /** The same, run under a prefix (nsenter, setpriv). */
    static AgentCommand run(List<String> prefix, Jdk jdk, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PROFGUARD_") || k.equals("LD_PRELOAD") || k.equals("APP_ENV"));
        Path out = Files.createTempFile(dir, "command", ".out");
        Path err = Files.createTempFile(dir, "command", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not finish in 120 s: " + command);
        }
        return new AgentCommand(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A shell command run to its end (its arguments are $1, $2, ...); its status. */
    static int shell(Path dir, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not finish in 60 s: " + script);
        }
        return process.exitValue();
    }

    @Override
    public String toString() {
        return "status " + status + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
}
