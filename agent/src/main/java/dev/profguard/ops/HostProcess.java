package dev.profguard.ops;

import dev.profguard.detect.BoundedFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One process of the host as {@code /proc/PID/stat} tells it (proc(5)). A process is its pid and
 * its start time together: a pid is reused once its process has gone, the pair is not.
 *
 * @param pid           its process id
 * @param startTime     when it started, in clock ticks after boot (stat field 22)
 * @param name          its {@code comm}: a name it can set itself, shown, never trusted
 * @param kernelThread  a kernel thread (PF_KTHREAD): no user space, nothing mapped
 * @param cpuTicks      user + system time it used, in clock ticks (fields 14 and 15)
 */
record HostProcess(long pid, long startTime, String name, boolean kernelThread, long cpuTicks) {
    private static final int MAX_STAT = 4096; // comm is at most 16 bytes; the numbers fit in ~1 KiB
    private static final long PF_KTHREAD = 0x00200000L; // include/linux/sched.h
    /** USER_HZ, the unit of /proc's clock ticks (proc(5): sysconf(_SC_CLK_TCK)), 100 on every architecture Java runs on. */
    static final long TICKS_PER_SECOND = 100;
    private static final int MAX_PROC_STAT = 1 << 20; // btime follows a line per CPU and the interrupt counts

    /** The process now, or null when it is gone (or its stat cannot be read or parsed). */
    static HostProcess read(Path procDir, long pid) {
        byte[] bytes;
        try {
            bytes = BoundedFiles.read(procDir.resolve("stat"), MAX_STAT);
        } catch (IOException | SecurityException e) {
            return null;
        }
        String stat = new String(bytes, 0, Math.min(bytes.length, MAX_STAT), StandardCharsets.ISO_8859_1);
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')'); // comm may hold ')' and spaces: the last one ends it
        if (open < 0 || close < open) {
            return null;
        }
        String[] fields = stat.substring(close + 1).strip().split(" ");
        if (fields.length < 20) {
            return null;
        }
        try {
            long flags = Long.parseLong(fields[6]);
            long cpu = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return new HostProcess(pid, Long.parseLong(fields[19]), printable(stat.substring(open + 1, close)),
                    (flags & PF_KTHREAD) != 0, cpu);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** This process's own CPU time so far, in clock ticks, or -1. */
    static long ownCpuTicks() {
        HostProcess self = read(Path.of("/proc/self"), ProcessHandle.current().pid());
        return self == null ? -1 : self.cpuTicks();
    }

    /** When the host booted, in seconds since the epoch ({@code btime} of /proc/stat, proc(5)), or -1. */
    static long bootTime() {
        try {
            byte[] bytes = BoundedFiles.read(Path.of("/proc/stat"), MAX_PROC_STAT);
            for (String line : new String(bytes, 0, Math.min(bytes.length, MAX_PROC_STAT), StandardCharsets.ISO_8859_1)
                    .split("\n")) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).strip());
                }
            }
        } catch (IOException | SecurityException | NumberFormatException e) {
            // -1: the start times are then said in clock ticks after boot
        }
        return -1;
    }

    /** Whether the same process still runs: same pid, same start time. */
    boolean stillRunning() {
        HostProcess now = read(Path.of("/proc", Long.toString(pid)), pid);
        return now != null && now.startTime() == startTime;
    }

    /** The uid owning {@code /proc/PID} (its real uid's view in procfs), or -1. */
    static int owner(Path procDir) {
        try {
            return (Integer) Files.getAttribute(procDir, "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Control characters of a name someone else chose, as {@code ?}: it goes into tables and labels. */
    static String printable(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return out.toString();
    }
}
