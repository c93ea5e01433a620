package dev.profguard.detect;

import dev.profguard.elf.ElfResult;
import dev.profguard.elf.ElfSymbols;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one library file against the rules: its defined symbols (strong) and its name (weak).
 * One instance serves one scan and remembers each file it read, so a library named in
 * {@code LD_PRELOAD} and mapped in the process is read once.
 */
public final class LibraryInspector {
    private final RuleSet rules;
    private final ElfSymbols elf;
    private final Map<Path, ElfResult> cache = new HashMap<>();

    public LibraryInspector(RuleSet rules) {
        this.rules = rules;
        this.elf = new ElfSymbols(rules.allSymbols());
    }

    public RuleSet rules() {
        return rules;
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
     * Findings about a library named somewhere (LD_PRELOAD, an -agentpath, a mapping).
     *
     * @param shownPath how the evidence names the library
     * @param content   where its bytes are read, usually the same path
     * @param variable  the variable that names it, or null
     * @param detail    extra evidence for strong findings, e.g. "executable mapping"
     * @param unreadableMatters whether a file that cannot be read is itself worth a finding
     */
    public List<Finding> inspect(Source source, String shownPath, Path content, String variable,
                                 String detail, boolean unreadableMatters) {
        List<Finding> findings = new ArrayList<>();
        String fileName = fileName(shownPath);
        ElfResult result = content == null ? null : symbols(content);
        for (Rule rule : rules.rules()) {
            List<String> defined = result == null ? List.of() : definedBy(rule, result);
            if (!defined.isEmpty()) {
                findings.add(new Finding(rule.id(), rule.profiler(), Strength.STRONG, source, shownPath,
                        defined, variable, detail));
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
            }
        }
        if (findings.isEmpty() && unreadableMatters && result != null
                && result.status() == ElfResult.Status.UNREADABLE) {
            findings.add(new Finding(Finding.SELF, null, Strength.UNKNOWN, source, shownPath, List.of(),
                    variable, "could not read its symbols: " + result.reason()));
        }
        return findings;
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

    static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
