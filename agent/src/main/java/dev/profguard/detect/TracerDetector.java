package dev.profguard.detect;

import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Processes tracing this one through ptrace (strace, ltrace, gdb, heaptrack's injection while it
 * runs): the {@code TracerPid} of its status, matched by the tracer's name against the rules'
 * {@code tracers}. Only read when a rule has that key.
 */
public final class TracerDetector implements Detector {
    private final boolean everyThread;

    /**
     * @param everyThread every thread's status ({@code check}, from outside); else only the main
     *                    thread's, one read (start-up: a tracer of the launch, such as
     *                    {@code strace -f} or {@code gdb --args}, traces it)
     */
    public TracerDetector(boolean everyThread) {
        this.everyThread = everyThread;
    }

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        boolean wanted = false;
        for (Rule rule : evidence.rules().rules()) {
            wanted |= !rule.tracers().isEmpty();
        }
        if (!wanted) {
            return findings;
        }
        Map<Long, String> tracers = view.tracers(everyThread).take(Source.TRACER, findings);
        if (tracers == null || tracers.isEmpty()) {
            return findings;
        }
        for (Rule rule : evidence.rules().rules()) {
            for (Map.Entry<Long, String> tracer : tracers.entrySet()) {
                if (rule.isTracer(tracer.getValue())) {
                    findings.add(Finding.tracer(rule, tracer.getKey(), tracer.getValue(), ""));
                }
            }
        }
        return findings;
    }
}
