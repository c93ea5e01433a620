package dev.profguard.ops;

import java.util.List;

/**
 * One round of {@code check --all}.
 *
 * @param entries       the JVMs and the processes not inspected, by pid
 * @param seen          processes with a user space the round looked at (kernel threads apart)
 * @param kernelThreads kernel threads: nothing mapped, nothing to judge
 * @param vanished      processes listed in /proc that were gone before their stat was read
 * @param reused        JVMs whose judgement was kept from the last round: nothing it read had changed
 * @param nanos         the round's wall time
 * @param cpuTicks      CPU time the round used (this process, user + system), in clock ticks; -1 unknown
 * @param notes         what the caller should know about what it could see (e.g. hidepid)
 */
record FleetResult(List<FleetEntry> entries, int seen, int kernelThreads, int vanished, int reused, long nanos,
                   long cpuTicks, List<String> notes) {
    /** 1 when a client (or a sign of one) was found in any JVM; else 2 when anything could not be inspected; else 0. */
    int status() {
        boolean incomplete = false;
        for (FleetEntry entry : entries) {
            if (entry.status() == 1) {
                return 1;
            }
            incomplete |= entry.status() == 2;
        }
        return incomplete ? 2 : 0;
    }

    long count(FleetEntry.Kind kind) {
        return entries.stream().filter(e -> e.kind() == kind).count();
    }

    String summary() {
        long found = entries.stream().filter(e -> e.status() == 1).count();
        return count(FleetEntry.Kind.JVM) + " JVMs judged among " + seen + " processes: " + found
                + " with a profiler client (or a sign of one), " + count(FleetEntry.Kind.NOT_INSPECTED)
                + " processes not inspected, " + count(FleetEntry.Kind.EXITED) + " exited while judged";
    }
}
