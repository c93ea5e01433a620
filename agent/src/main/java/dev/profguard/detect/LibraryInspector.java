package dev.profguard.detect;

import dev.profguard.elf.ElfResult;
import dev.profguard.elf.ElfSymbols;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one library file against the rules.
 * One instance serves one scan and remembers each file it read, so a library named in
 * {@code LD_PRELOAD} and mapped in the process is read once.
 */
public final class LibraryInspector {
    private final RuleSet rules;
    private final ElfSymbols elf;
    private final Map<Path, ElfResult> cache = new HashMap<>();
    private final Map<Path, List<String>> marksCache = new HashMap<>();
    private final Set<String> vetted = new HashSet<>();
    private final Map<String, List<Finding>> linkerFindings = new HashMap<>();

    public LibraryInspector(RuleSet rules) {
        this.rules = rules;
        this.elf = new ElfSymbols(rules.allSymbols());
    }

    public RuleSet rules() {
        return rules;
    }

    /**
     * Marks objects whose symbols and marks the native probe checks through the dynamic linker:
     * their files are not read again; what the linker said about them is reused.
     */
    public void vetted(Collection<String> paths) {
        vetted.addAll(paths);
    }

    /** Whether the probe answers for the loaded object {@code path}. */
    public boolean isVetted(String path) {
        return vetted.contains(path);
    }

    /** Records what the probe found in a loaded object, for other evidence naming the same file. */
    void linkerFound(String path, Finding finding) {
        List<Finding> found = linkerFindings.get(path);
        if (found == null) {
            found = new ArrayList<>();
            linkerFindings.put(path, found);
        }
        found.add(finding);
    }

    /** Reads the ELF symbols of {@code file} (once per scan). */
    public ElfResult symbols(Path file) {
        ElfResult result = cache.get(file);
        if (result == null) {
            result = elf.read(file);
            cache.put(file, result);
        }
        return result;
    }

    /**
     * Findings about a library named somewhere (LD_PRELOAD, an -agentpath, a mapping): its defined
     * symbols (strong), the marks its content carries when its symbols are hidden (strong, outside
     * the JDK's and the system's directories), its name (weak), a zero-filled segment as large as
     * the client's (weak).
     *
     * @param shownPath how the evidence names the library
     * @param content   where its bytes are read, usually the same path; null when unreadable
     * @param variable  the variable that names it, or null
     * @param detail    extra evidence, e.g. "executable mapping"
     * @param unreadableMatters whether a file that cannot be read is itself worth a finding
     */
    public List<Finding> inspect(Source source, String shownPath, Path content, String variable,
                                 String detail, boolean unreadableMatters) {
        List<Finding> findings = new ArrayList<>();
        String fileName = fileName(shownPath);
        boolean readable = content != null && !vetted.contains(shownPath);
        ElfResult result = readable ? symbols(content) : null;
        for (Rule rule : rules.rules()) {
            Finding linker = linkerFinding(shownPath, rule);
            if (linker != null) {
                // The same strong evidence the probe found, as this source names it.
                String linkerDetail = linker.symbols().isEmpty() ? linker.detail() + "; " + detail : detail;
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, shownPath,
                        linker.symbols(), variable, linkerDetail));
                continue;
            }
            List<String> defined = result == null ? List.of() : definedBy(rule, result);
            List<String> marks = readable && defined.isEmpty() ? marks(rule, shownPath, content, result) : List.of();
            if (!defined.isEmpty()) {
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, shownPath,
                        defined, variable, detail));
            } else if (!marks.isEmpty()) {
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, shownPath,
                        List.of(), variable, "carries " + String.join(", ", marks)
                        + " though it exports none of the client's symbols (hidden or stripped); " + detail));
            } else if (rule.matchesName(fileName)) {
                String why;
                if (result == null) {
                    why = "name matches; " + detail;
                } else if (result.status() == ElfResult.Status.OK) {
                    why = "name matches, no client symbols; " + detail;
                } else {
                    why = "name matches; " + result.reason() + "; " + detail;
                }
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.WEAK, source, shownPath,
                        List.of(), variable, why));
            } else if (result != null && rule.zeroFill() > 0 && result.zeroFill() >= rule.zeroFill()) {
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.WEAK, source, shownPath, List.of(),
                        variable, zeroFillDetail(result.zeroFill()) + "; " + detail));
            }
        }
        if (findings.isEmpty() && unreadableMatters && result != null
                && result.status() == ElfResult.Status.UNREADABLE) {
            findings.add(new Finding(Finding.SELF, null, Strength.UNKNOWN, source, shownPath, List.of(),
                    variable, "could not read its symbols: " + result.reason()));
        }
        return findings;
    }

    private Finding linkerFinding(String path, Rule rule) {
        List<Finding> found = linkerFindings.get(path);
        if (found != null) {
            for (Finding finding : found) {
                if (finding.rule().equals(rule.id()) && finding.strength() == Strength.STRONG) {
                    return finding;
                }
            }
        }
        return null;
    }

    /** "a zero-filled segment of 1568 MiB, as large as the client's" */
    static String zeroFillDetail(long bytes) {
        return "a zero-filled segment of " + (bytes >> 20) + " MiB, as large as the client's";
    }

    /** All of the rule's marks when the file carries every one of them, else none. */
    private List<String> marks(Rule rule, String shownPath, Path content, ElfResult result) {
        if (rule.marks().isEmpty() || Locations.isSystem(shownPath)
                || result == null || result.status() == ElfResult.Status.NOT_ELF) {
            return List.of();
        }
        List<String> found = marksCache.get(content);
        if (found == null) {
            try {
                found = FileMarks.find(content, rules.allMarks());
            } catch (IOException | RuntimeException e) {
                found = List.of();
            }
            marksCache.put(content, found);
        }
        return found.containsAll(rule.marks()) ? rule.marks() : List.of();
    }

    private static List<String> definedBy(Rule rule, ElfResult result) {
        if (rule.symbols().isEmpty() || result.symbols().isEmpty()) {
            return List.of();
        }
        List<String> defined = new ArrayList<>();
        for (String symbol : rule.symbols()) { // rule order: rmemInit, rmemShutDown come first
            if (result.symbols().contains(symbol)) {
                defined.add(symbol);
            }
        }
        return defined.size() >= rule.symbolsMin() ? defined : List.of();
    }

    /** The last component of a path (or of an archive entry's shown path). */
    public static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
