package dev.profguard.detect;

import dev.profguard.probe.LoadedObject;
import dev.profguard.probe.Names;
import dev.profguard.probe.Probe;
import dev.profguard.rules.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * libjvm.so's GOT slots of the heap functions (the rules' {@code slots}), checked through the
 * probe against where the dynamic linker binds them. An injector that rewrites them in place
 * (heaptrack --pid does; a hidden one might) shows nowhere else: the object a rewritten slot points
 * into is named. Asked by the watcher when the linker's list changed, where injection happens; at
 * start-up an interposer binds through the linker and shows as the provider.
 */
public final class PatchedSlots {
    private PatchedSlots() {
    }

    /** Findings for every rewritten slot; none without the probe, libjvm.so, or rules with slots. */
    public static List<Finding> audit(Evidence evidence, List<LoadedObject> loaded) {
        List<Finding> findings = new ArrayList<>();
        Probe probe = evidence.probe();
        if (probe == null) {
            return findings;
        }
        LoadedObject jvm = null;
        for (LoadedObject object : loaded) {
            if (object.path().endsWith("/libjvm.so")) {
                jvm = object;
            }
        }
        for (Rule rule : evidence.rules().rules()) {
            if (rule.slots().isEmpty() || jvm == null) {
                continue;
            }
            Map<String, byte[]> patched;
            try {
                patched = probe.patchedSlots(jvm.name(), rule.slots());
            } catch (RuntimeException | LinkageError e) {
                findings.add(Finding.unknown(Source.LOADED_OBJECT, jvm.path(), "could not audit its GOT slots: " + e));
                continue;
            }
            for (Map.Entry<String, byte[]> slot : patched == null ? Map.<String, byte[]>of().entrySet() : patched.entrySet()) {
                String target = slot.getValue().length == 0 ? null : Names.display(slot.getValue());
                findings.add(Finding.strong(rule, Source.LOADED_OBJECT, target, List.of(), "libjvm.so's GOT slot for "
                        + slot.getKey() + " points " + (target == null ? "into no loaded object" : "into it")
                        + ", not where the dynamic linker binds " + slot.getKey() + ": rewritten in place after loading"));
            }
        }
        return findings;
    }
}
