package dev.profguard.detect;

import dev.profguard.probe.Probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
    private final Path root;

    /**
     * @param dir         the process's procfs directory
     * @param name        how messages name the process
     * @param environment the environment when already known (the agent's own), else null to read
     *                    {@code environ}
     */
    public ProcFs(Path dir, String name, Map<String, String> environment) {
        this(dir, name, environment, null);
    }

    private ProcFs(Path dir, String name, Map<String, String> environment, Path root) {
        this.dir = dir;
        this.name = name;
        this.environment = environment;
        this.root = root;
    }

    /**
     * Another process, {@code /proc/PID}: the files it names are read through its own root
     * ({@code /proc/PID/root}, proc(5)), so that a JVM in a container is judged on its own files,
     * not on whatever the caller's file system has under the same names.
     */
    public static ProcFs of(long pid, String name) {
        Path dir = Path.of("/proc", Long.toString(pid));
        return new ProcFs(dir, name, null, dir.resolve("root"));
    }

    /** This JVM: {@code /proc/self}, with the environment the JVM was started with. */
    public static ProcFs self() {
        return self(System.getenv());
    }

    /**
     * This JVM as its guard sees it: the probe's live environ (setenv after start included), plus
     * what the process was started with ({@code atStart}, /proc/self/environ) and has since unset,
     * so that a tool that unsets its own variable after start is still seen. Without the probe (or
     * when it fails), the JVM's System.getenv in its place. Not System.getenv with the probe: its
     * first call makes the JDK read properties, which an application may have replaced with a
     * subclass of its own that then runs inside the guard (red team, round 8).
     */
    public static ProcFs guarded(Probe probe, Map<String, String> atStart) {
        Map<String, String> live = null;
        if (probe != null) {
            try {
                live = probe.liveEnvironment();
            } catch (RuntimeException e) {
                // the snapshot is the same at start-up but for a setenv from native code
            }
        }
        live = live == null ? System.getenv() : live;
        if (atStart == null || live.keySet().containsAll(atStart.keySet())) {
            return self(live);
        }
        Map<String, String> seen = new java.util.LinkedHashMap<>(live);
        for (Map.Entry<String, String> variable : atStart.entrySet()) {
            seen.putIfAbsent(variable.getKey(), variable.getValue());
        }
        return self(seen);
    }

    /** This JVM, with the given environment (the probe's live one, which setenv may have changed). */
    public static ProcFs self(Map<String, String> environment) {
        return new ProcFs(Path.of("/proc/self"), "this JVM", environment);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Readout<List<MappedObject>> mappedObjects() {
        Readout<byte[]> read = read("maps", MAX_MAPS);
        if (read.value() == null) {
            return Readout.failed(read.failure());
        }
        byte[] bytes = read.value();
        MapsParser.Result result = MapsParser.parse(new String(bytes, 0, bytes.length, StandardCharsets.ISO_8859_1));
        if (result.objects().isEmpty()) {
            return Readout.failed(dir.resolve("maps") + " lists no mapped files");
        }
        String failure = read.failure();
        if (failure == null && result.malformedLines() > 0) {
            failure = dir.resolve("maps") + " has " + result.malformedLines() + " malformed lines";
        }
        return new Readout<>(result.objects(), failure);
    }

    @Override
    public Readout<Map<String, String>> environment() {
        if (environment != null) {
            return Readout.of(environment);
        }
        Readout<byte[]> read = read("environ", MAX_ENVIRON);
        if (read.value() == null) {
            return Readout.failed(read.failure());
        }
        Map<String, String> env = dev.profguard.util.Tokens.environment(read.value());
        return new Readout<>(Collections.unmodifiableMap(env), read.failure());
    }

    @Override
    public Readout<List<OpenFile>> openFiles() {
        Path fds = dir.resolve("fd");
        List<OpenFile> targets = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                if (++seen > MAX_FDS) {
                    return new Readout<>(targets, fds + " has more than " + MAX_FDS + " entries; the rest were not read");
                }
                try {
                    targets.add(new OpenFile(fd, Files.readSymbolicLink(fd).toString()));
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
    public Readout<Map<Long, String>> tracers(boolean everyThread) {
        Map<Long, String> tracers = new java.util.LinkedHashMap<>();
        List<Path> statuses = new ArrayList<>(List.of(dir.resolve("status")));
        if (everyThread) {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir.resolve("task"))) {
                for (Path task : tasks) {
                    if (statuses.size() > MAX_FDS) {
                        break;
                    }
                    statuses.add(task.resolve("status"));
                }
            } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
                // the main thread's status is still read; the other readers say what /proc refuses
            }
        }
        for (Path status : statuses) {
            long tracer;
            try {
                tracer = tracerPid(new String(BoundedFiles.read(status, 1 << 16), StandardCharsets.UTF_8));
            } catch (IOException | SecurityException e) {
                continue; // a thread that ended meanwhile; an unreadable /proc is said by the other readers
            }
            if (tracer > 0 && !tracers.containsKey(tracer)) {
                String comm;
                try {
                    comm = new String(BoundedFiles.read(dir.resolveSibling(Long.toString(tracer)).resolve("comm"), 64),
                            StandardCharsets.UTF_8).strip();
                } catch (IOException | SecurityException e) {
                    comm = "?";
                }
                tracers.put(tracer, comm);
            }
        }
        return Readout.of(tracers);
    }

    /** The TracerPid field of a status file: 0 when not traced (proc(5)). */
    static long tracerPid(String status) {
        int at = status.indexOf("\nTracerPid:");
        if (at < 0) {
            return 0;
        }
        int end = status.indexOf('\n', at + 1);
        try {
            return Long.parseLong(status.substring(at + 11, end < 0 ? status.length() : end).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public Readout<List<String>> arguments() {
        Readout<byte[]> read = read("cmdline", MAX_CMDLINE);
        return read.value() == null ? Readout.failed(read.failure()) : new Readout<>(dev.profguard.util.Tokens.nulSeparated(read.value()), read.failure());
    }

    /** At most {@code limit} bytes of one procfs file; a longer file is cut and says so. */
    private Readout<byte[]> read(String name, int limit) {
        Path file = dir.resolve(name);
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(file, limit);
        } catch (IOException | SecurityException e) {
            return Readout.failed("could not read " + file + ": " + BoundedFiles.describe(e));
        }
        if (bytes.length <= limit) {
            return Readout.of(bytes);
        }
        return new Readout<>(java.util.Arrays.copyOf(bytes, limit),
                file + " is larger than " + limit + " bytes; only the first part was read");
    }

    @Override
    public Path file(String absolutePath) {
        if (root == null) {
            return Path.of(absolutePath);
        }
        String relative = absolutePath;
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        return root.resolve(relative);
    }

    @Override
    public Path workingDirectory() {
        return dir.resolve("cwd"); // procfs: a link to the process's own working directory
    }

    @Override
    public Path contentOf(MappedObject object) {
        return dir.resolve("map_files").resolve(object.range());
    }
}
