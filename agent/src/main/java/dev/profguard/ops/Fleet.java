package dev.profguard.ops;

import dev.profguard.detect.BoundedFiles;
import dev.profguard.detect.MappedObject;
import dev.profguard.detect.MapsParser;
import dev.profguard.detect.ProcFs;
import dev.profguard.rules.RuleSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every JVM of the host that this process can see through {@code /proc}, round after round. Each
 * JVM is judged by {@link ProcessCheck#judge}, exactly as {@code check --pid} judges it.
 *
 * <p>Between rounds a judgement is kept for the same process (pid and start time) only while
 * everything it was made from reads the same: its file-backed mappings (name, device, inode,
 * deleted, executable, where), the bytes of its environment and command line, its working directory,
 * its descriptor table (each target and the {@link FileStamp} of what it leads to) and the stamps
 * of its mapped code files. Those are read again every round; what is not read again for an
 * unchanged JVM is the content of its files (symbols, marks, capture headers, its argument files,
 * its agent jar's manifest).
 */
final class Fleet {
    private static final Path PROC = Path.of("/proc");
    private static final int MAX_MAPS = 32 << 20;
    private static final int MAX_ENVIRON = 8 << 20;
    private static final int MAX_CMDLINE = 8 << 20;
    private static final int MAX_FDS = 65_536;

    private final RuleSet rules;
    private final String env;
    private final JvmIdentity identity = new JvmIdentity();
    private Map<String, Kept> kept = new HashMap<>();

    /** A judgement and what it was made from. */
    private record Kept(String fingerprint, FleetEntry entry) {
    }

    /** @param env when given, replaces every JVM's own tag (as {@code check --env}) */
    Fleet(RuleSet rules, String env) {
        this.rules = rules;
        this.env = env;
    }

    FleetResult round() {
        long started = System.nanoTime();
        long cpuBefore = HostProcess.ownCpuTicks();
        long self = ProcessHandle.current().pid();
        List<FleetEntry> entries = new ArrayList<>();
        Map<String, Kept> next = new HashMap<>();
        int seen = 0;
        int kernelThreads = 0;
        int vanished = 0;
        int reused = 0;
        for (long pid : pids()) {
            if (pid == self) {
                continue; // the checker itself: a JVM without the guard, by design
            }
            Path dir = PROC.resolve(Long.toString(pid));
            HostProcess process = HostProcess.read(dir, pid);
            if (process == null) {
                vanished++;
                continue;
            }
            if (process.kernelThread()) {
                kernelThreads++;
                continue;
            }
            seen++;
            String key = pid + ":" + process.startTime();
            FleetEntry entry = look(dir, process, key, next);
            if (entry != null) {
                entries.add(entry);
                reused += kept.containsKey(key) && kept.get(key) == next.get(key) ? 1 : 0; // kept, not judged again
            }
        }
        kept = next; // processes that are gone (or whose pid now names another) are forgotten
        long cpuAfter = HostProcess.ownCpuTicks();
        return new FleetResult(entries, seen, kernelThreads, vanished, reused, System.nanoTime() - started,
                cpuBefore < 0 || cpuAfter < 0 ? -1 : cpuAfter - cpuBefore, notes());
    }

    /** The entry for one process, or null when it is not a JVM. */
    private FleetEntry look(Path dir, HostProcess process, String key, Map<String, Kept> next) {
        int uid = HostProcess.owner(dir);
        byte[] maps;
        try {
            maps = bounded(BoundedFiles.read(dir.resolve("maps"), MAX_MAPS), MAX_MAPS);
        } catch (IOException | SecurityException e) {
            if (!Files.isDirectory(dir)) {
                return null; // gone between its stat and its maps: never judged, nothing to say
            }
            String message = String.valueOf(e.getMessage());
            return FleetEntry.notInspected(process, uid, e instanceof AccessDeniedException
                    || message.endsWith("(Permission denied)") || message.endsWith("(Operation not permitted)")
                    ? "permission denied reading " + dir.resolve("maps") + " (another user's process, one with "
                    + "capabilities this caller lacks, or one not dumpable: reading it needs CAP_SYS_PTRACE)"
                    : "could not read " + dir.resolve("maps") + ": " + BoundedFiles.describe(e));
        }
        List<MappedObject> objects = MapsParser.parse(new String(maps, StandardCharsets.ISO_8859_1)).objects();
        if (objects.isEmpty()) {
            return null; // nothing mapped: a zombie, or a process between exec and its first mapping
        }
        ProcFs view = ProcFs.of(process.pid(), "process " + process.pid());
        String why = identity.why(view, objects, executableName(dir, process));
        if (why == null) {
            return null;
        }
        String fingerprint = fingerprint(dir, view, objects);
        Kept before = kept.get(key);
        if (fingerprint != null && before != null && before.fingerprint().equals(fingerprint)) {
            next.put(key, before);
            return before.entry();
        }
        ProcessCheck check = ProcessCheck.judge(view, process.pid(), "process " + process.pid(), rules, env);
        if (!process.stillRunning()) {
            return FleetEntry.exited(process, uid, why, "exited while it was being judged (or its pid now names "
                    + "another process): no verdict");
        }
        FleetEntry entry = FleetEntry.judged(process, uid, why, check);
        if (fingerprint != null && !FileStamp.fresh(fingerprint)) {
            next.put(key, new Kept(fingerprint, entry));
        }
        return entry;
    }

    /**
     * Everything a judgement reads of the process itself, and the stamps of the files it reads, as
     * one SHA-256; null when a part cannot be read (then it is judged every round).
     */
    private static String fingerprint(Path dir, ProcFs view, List<MappedObject> objects) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
        StringBuilder stamps = new StringBuilder();
        StringBuilder fdStamps = new StringBuilder();
        try {
            // The file-backed mappings as the judgement sees them, not the maps' bytes: a running JVM maps
            // and unmaps anonymous memory all the time (heap, threads, code cache).
            part(digest, objects.toString().getBytes(StandardCharsets.UTF_8));
            part(digest, bounded(BoundedFiles.read(dir.resolve("environ"), MAX_ENVIRON), MAX_ENVIRON));
            part(digest, bounded(BoundedFiles.read(dir.resolve("cmdline"), MAX_CMDLINE), MAX_CMDLINE));
            part(digest, Files.readSymbolicLink(dir.resolve("cwd")).toString().getBytes(StandardCharsets.UTF_8));
            Map<String, String> fds = new TreeMap<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve("fd"))) {
                for (Path fd : entries) {
                    if (fds.size() >= MAX_FDS) {
                        return null;
                    }
                    fds.put(fd.getFileName().toString(), Files.readSymbolicLink(fd) + " " + FileStamp.of(fd));
                }
            }
            fdStamps.append(fds);
            part(digest, fdStamps.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        for (MappedObject object : objects) {
            if (object.executable()) {
                stamps.append(FileStamp.of(object.deleted() ? view.contentOf(object) : view.file(object.path()))).append('\n');
            }
        }
        part(digest, stamps.toString().getBytes(StandardCharsets.UTF_8));
        String fds = fdStamps.toString();
        return java.util.HexFormat.of().formatHex(digest.digest())
                + (FileStamp.fresh(stamps.toString()) || FileStamp.fresh(fds) ? " fresh" : "");
    }

    private static void part(MessageDigest digest, byte[] bytes) {
        digest.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) 0);
        digest.update(bytes);
    }

    /** A procfs read cut at its bound: the part that fits (the judgement reports the cut itself). */
    private static byte[] bounded(byte[] bytes, int limit) {
        return bytes.length > limit ? java.util.Arrays.copyOf(bytes, limit) : bytes;
    }

    /** The file name of its executable ({@code /proc/PID/exe}), or its comm when that link cannot be read. */
    private static String executableName(Path dir, HostProcess process) {
        try {
            Path exe = Files.readSymbolicLink(dir.resolve("exe")).getFileName();
            return exe == null ? process.name() : exe.toString().replace(" (deleted)", "");
        } catch (IOException | RuntimeException e) {
            return process.name();
        }
    }

    /** Process ids listed in /proc, ascending. */
    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9') && name.length() < 19) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException | RuntimeException e) {
            return pids;
        }
        pids.sort(Comparator.naturalOrder());
        return pids;
    }

    /** What limits this caller's view: procfs mounted with hidepid hides other users' processes. */
    private static List<String> notes() {
        List<String> notes = new ArrayList<>();
        try {
            byte[] mounts = BoundedFiles.read(Path.of("/proc/self/mounts"), 1 << 20);
            for (String line : new String(mounts, StandardCharsets.ISO_8859_1).split("\n")) {
                String[] fields = line.split(" ");
                if (fields.length > 3 && fields[1].equals("/proc") && fields[2].equals("proc")) {
                    for (String option : fields[3].split(",")) {
                        if (option.startsWith("hidepid=") && !option.equals("hidepid=0") && !option.equals("hidepid=off")) {
                            notes.add("/proc is mounted with " + option + ": processes of other users may be hidden from "
                                    + "this caller and are then neither listed nor counted");
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            notes.add("could not read /proc/self/mounts to see whether /proc hides processes (hidepid)");
        }
        return notes;
    }
}
