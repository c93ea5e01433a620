package dev.profguard.scan;

import dev.profguard.detect.Finding;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one container image layer writes and deletes, and the findings about its files, held until
 * the image's manifest says in which order the layers apply: only then is it known whether a file
 * is still in the image's final filesystem or was replaced or deleted (whiteouts) by a later layer.
 * Keys are member names normalised the way a container runtime applies them ({@code ./}, leading
 * {@code /} and {@code ..} above the root removed), one char per byte.
 */
final class Layer {
    /** A finding about the member at {@code key}, the {@code ordinal}-th member of the layer. */
    record Pending(String key, int ordinal, String memberShown, Finding finding) {
    }

    /** A hard link member: its target's content under another name. */
    record HardLink(String target, String shown) {
    }

    final String label;
    final Map<String, Integer> lastWrite = new HashMap<>();
    final Set<String> nonDirectories = new HashSet<>();
    final Set<String> whiteouts = new HashSet<>();
    final Set<String> opaque = new HashSet<>();
    final Map<String, HardLink> hardLinks = new HashMap<>();
    final List<Pending> pending = new ArrayList<>();
    private int count;
    private String currentKey;
    private int currentOrdinal;
    private String currentShown;

    Layer(String label) {
        this.label = label;
    }

    /**
     * Records a member; false for a whiteout, which deletes from lower layers and has no content.
     */
    boolean record(String key, char type, String link, String shown) {
        int ordinal = ++count;
        int slash = key.lastIndexOf('/');
        String parent = slash < 0 ? "" : key.substring(0, slash);
        String base = key.substring(slash + 1);
        if (base.startsWith(".wh.")) {
            if (base.equals(".wh..wh..opq")) {
                opaque.add(parent);
            } else {
                whiteouts.add(parent.isEmpty() ? base.substring(4) : parent + "/" + base.substring(4));
            }
            return false;
        }
        lastWrite.put(key, ordinal);
        if (type == '5') {
            nonDirectories.remove(key);
        } else {
            nonDirectories.add(key);
        }
        if (type == '1') {
            hardLinks.put(key, new HardLink(normalize(link), shown));
        }
        currentKey = key;
        currentOrdinal = ordinal;
        currentShown = shown;
        return true;
    }

    void found(Finding finding) {
        pending.add(new Pending(currentKey, currentOrdinal, currentShown, finding));
    }

    /** Whether the member {@code key} written as this layer's {@code ordinal}-th is in the final filesystem. */
    static boolean survives(List<Layer> ordered, int index, String key, int ordinal) {
        Layer own = ordered.get(index);
        Integer last = own.lastWrite.get(key);
        if (last == null || last != ordinal) {
            return false; // written again later in the same layer
        }
        List<String> ancestors = new ArrayList<>();
        for (int slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
            ancestors.add(key.substring(0, slash));
        }
        for (int j = index + 1; j < ordered.size(); j++) {
            Layer later = ordered.get(j);
            if (later.lastWrite.containsKey(key) || later.whiteouts.contains(key) || later.opaque.contains("")) {
                return false;
            }
            for (String ancestor : ancestors) {
                if (later.whiteouts.contains(ancestor) || later.opaque.contains(ancestor)
                        || later.nonDirectories.contains(ancestor)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A member name as the runtime applies it: relative to the image root, without . and .. */
    static String normalize(String name) {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }
}
