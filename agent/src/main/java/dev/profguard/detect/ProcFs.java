package dev.profguard.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A process read through a procfs directory: {@code /proc/self}, {@code /proc/PID}, or a test tree. */
public final class ProcFs implements ProcessView {
    /** Bounds of what is read; a JVM's maps are ~100 KiB, the kernel caps argv+env at a few MiB. */
    static final int MAX_MAPS = 32 << 20;
    static final int MAX_ENVIRON = 8 << 20;
    static final int MAX_CMDLINE = 8 << 20;
    static final int MAX_FDS = 65_536;

    private final Path dir;
    private final String name;
    private final Map<String, String> environment;

    /**
     * @param dir         the process's procfs directory
     * @param name        how messages name the process
     * @param environment the environment when already known (the agent's own), else null to read
     *                    {@code environ}
     */
    public ProcFs(Path dir, String name, Map<String, String> environment) {
        this.dir = dir;
        this.name = name;
        this.environment = environment;
    }

    /** This JVM: {@code /proc/self}, with the environment the JVM was started with. */
    public static ProcFs self() {
        return new ProcFs(Path.of("/proc/self"), "this JVM", System.getenv());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Readout<List<MappedObject>> mappedObjects() {
        Path maps = dir.resolve("maps");
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(maps, MAX_MAPS);
        } catch (IOException | SecurityException e) {
            return Readout.failed("could not read " + maps + ": " + BoundedFiles.describe(e));
        }
        boolean cut = bytes.length > MAX_MAPS;
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_MAPS), StandardCharsets.UTF_8);
        MapsParser.Result result = MapsParser.parse(text);
        if (result.objects().isEmpty()) {
            return Readout.failed(maps + " lists no mapped files");
        }
        String failure = null;
        if (cut) {
            failure = maps + " is larger than " + MAX_MAPS + " bytes; only the first part was read";
        } else if (result.malformedLines() > 0) {
            failure = maps + " has " + result.malformedLines() + " malformed lines";
        }
        return new Readout<>(result.objects(), failure);
    }

    @Override
    public Readout<Map<String, String>> environment() {
        if (environment != null) {
            return Readout.of(environment);
        }
        Path environ = dir.resolve("environ");
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(environ, MAX_ENVIRON);
        } catch (IOException | SecurityException e) {
            return Readout.failed("could not read " + environ + ": " + BoundedFiles.describe(e));
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : split(bytes, MAX_ENVIRON)) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        String failure = bytes.length > MAX_ENVIRON ? environ + " is larger than " + MAX_ENVIRON + " bytes" : null;
        return new Readout<>(Collections.unmodifiableMap(env), failure);
    }

    @Override
    public Readout<List<String>> openFiles() {
        Path fds = dir.resolve("fd");
        List<String> targets = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                if (++seen > MAX_FDS) {
                    return new Readout<>(targets, fds + " has more than " + MAX_FDS + " entries; the rest were not read");
                }
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    // closed between listing and reading: nothing to see there
                }
            }
        } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
            return Readout.failed("could not list " + fds + ": " + BoundedFiles.describe(e));
        }
        return Readout.of(targets);
    }

    @Override
    public Readout<List<String>> arguments() {
        Path cmdline = dir.resolve("cmdline");
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(cmdline, MAX_CMDLINE);
        } catch (IOException | SecurityException e) {
            return Readout.failed("could not read " + cmdline + ": " + BoundedFiles.describe(e));
        }
        String failure = bytes.length > MAX_CMDLINE ? cmdline + " is larger than " + MAX_CMDLINE + " bytes" : null;
        return new Readout<>(split(bytes, MAX_CMDLINE), failure);
    }

    @Override
    public Path contentOf(MappedObject object) {
        return dir.resolve("map_files").resolve(object.range());
    }

    /** NUL-separated strings, as in environ and cmdline. */
    static List<String> split(byte[] bytes, int limit) {
        List<String> items = new ArrayList<>();
        int length = Math.min(bytes.length, limit);
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || bytes[i] == 0) {
                if (i > start) {
                    items.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return items;
    }
}
