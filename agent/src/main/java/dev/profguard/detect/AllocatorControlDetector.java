package dev.profguard.detect;

import dev.profguard.probe.Names;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.List;

/**
 * The allocator's own switches (rules' {@code mallctl}: jemalloc's {@code opt.prof}), asked of it
 * through the probe: whatever turned its profiler on (MALLOC_CONF, a {@code malloc_conf} symbol in
 * a program or library, /etc/malloc.conf), the allocator knows. This JVM only, with the probe.
 */
public final class AllocatorControlDetector implements Detector {
    private final Probe probe;

    public AllocatorControlDetector(Probe probe) {
        this.probe = probe;
    }

    @Override
    public List<Finding> scan(ProcessView view, Evidence evidence) {
        List<Finding> findings = new ArrayList<>();
        for (Rule rule : evidence.rules().rules()) {
            if (rule.mallctl().isEmpty()) {
                continue;
            }
            List<String> on = probe.allocatorControlsOn(rule.mallctl());
            if (!on.isEmpty()) {
                byte[] provider = probe.provider("mallctl");
                findings.add(Finding.strong(rule, Source.LOADED_OBJECT, provider == null ? null : Names.display(provider),
                        List.of(), String.join(", ", on) + " true, as the allocator itself reports it (mallctl)"));
            }
        }
        return findings;
    }
}
