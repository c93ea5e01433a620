package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.probe.NativeLoader;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the guard inside a JVM switched off, published so that {@code check --pid} can read it
 * from outside without attaching: a file created in a fresh private directory (0700), unlinked at
 * once and kept open, so it exists only as this process's descriptor ({@code /proc/PID/fd/N},
 * ending in {@value #NAME} " (deleted)") and dies with it. Only this process can write it; a reader
 * that may read the process's descriptors (as it must to read its maps) can read it. Written only
 * once something was switched off: a clean start publishes nothing.
 *
 * <p>Format, one item a line: {@code profguard-state 1}, {@code pid N}, then
 * {@code switched-off RULE PATH} per object (the path as shown in findings, newlines as \n).
 */
public final class PublishedState {
    /** The name the state file had; check looks for it among a process's descriptors. */
    public static final String NAME = "profguard-state";
    private static final Set<String> SWITCHED = new LinkedHashSet<>();
    private static RandomAccessFile file; // a strong reference: a collected file would be closed

    private PublishedState() {
    }

    /** This process's id, from the /proc/self link (java.io resolves it natively). */
    private static long ownPid() throws IOException {
        return Long.parseLong(new java.io.File("/proc/self").getCanonicalFile().getName());
    }

    /** Adds an object switched off in place and rewrites the state; failures are silent (check then says found). */
    static synchronized void switchedOff(String rule, String path) {
        SWITCHED.add("switched-off " + rule + " " + path.replace("\n", "\\n"));
        try {
            if (file == null) {
                // not Files.createTempDirectory nor ProcessHandle: this may run on the application's
                // thread, and their first use reads system properties (SecureRandom's providers,
                // the temporary directory), which the application may have replaced with a
                // subclass of its own that then runs inside the guard (red team, round 9)
                Path dir = NativeLoader.privateDirectory(Path.of(Config.jvmProperty("java.io.tmpdir", "/tmp")));
                Path state = dir.resolve(NAME);
                file = new RandomAccessFile(state.toFile(), "rw");
                Files.delete(state);
                Files.delete(dir);
            }
            StringBuilder text = new StringBuilder("profguard-state 1\npid ").append(ownPid()).append('\n');
            for (String line : SWITCHED) {
                text.append(line).append('\n');
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            file.setLength(0);
            file.seek(0);
            file.write(bytes);
        } catch (IOException | RuntimeException e) {
            // check will report the client as found; the guard's own line already said what it did
        }
    }
}
