package dev.profguard.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules in force: the built-in ones, plus those of an optional rules file. The built-in ones
 * alone are parsed at their first use, not at start-up: a clean start hands the probe the build's
 * copy of them ({@link StartRules}) and never needs them parsed.
 */
public final class RuleSet {
    /** Written last, once the lists beside it are (volatile): null until parsed. */
    private volatile List<Rule> rules;
    private List<String> allSymbols;
    private List<String> allMarks;

    public RuleSet(List<Rule> rules) {
        set(rules);
    }

    private RuleSet() {
    }

    private void set(List<Rule> list) {
        Set<String> symbols = new LinkedHashSet<>();
        Set<String> marks = new LinkedHashSet<>();
        for (Rule rule : list) {
            symbols.addAll(rule.symbols());
            marks.addAll(rule.marks());
        }
        this.allSymbols = List.copyOf(symbols);
        this.allMarks = List.copyOf(marks);
        this.rules = List.copyOf(list);
    }

    /** The built-in rules, parsed now if they were not yet. */
    private List<Rule> parsed() {
        List<Rule> list = rules;
        if (list == null) {
            synchronized (this) {
                if (rules == null) {
                    set(builtin());
                }
                list = rules;
            }
        }
        return list;
    }

    /**
     * The built-in rules, then those of {@code extraFile} when it is not null (parsed now, so its
     * errors are said at start-up); a rule of the file with a built-in rule's id replaces it.
     * The work is RulesParser's ({@link RulesParser#withBuiltin}): this class names no exception
     * of its own to throw, so that verifying it loads none.
     */
    public static RuleSet load(Path extraFile) throws RulesException {
        return extraFile == null ? new RuleSet() : new RuleSet(RulesParser.withBuiltin(extraFile));
    }

    /**
     * {@code rules}, or the built-in ones when it is null: what a clean start hands on (the gate,
     * the watcher), which never loads this class before main (issue #16).
     */
    public static RuleSet orBuiltIn(RuleSet rules) {
        return rules != null ? rules : BUILT_IN;
    }

    /** The built-in rules alone, one instance for every user, parsed once at their first use. */
    private static final RuleSet BUILT_IN = new RuleSet();

    static List<Rule> builtin() {
        return RulesParser.builtin();
    }

    public List<Rule> rules() {
        return parsed();
    }

    /** The rule with that id, or null. */
    public Rule byId(String id) {
        for (Rule rule : parsed()) {
            if (rule.id().equals(id)) {
                return rule;
            }
        }
        return null;
    }

    /** Every mark any rule looks for, once each, in rule order. */
    public List<String> allMarks() {
        parsed();
        return allMarks;
    }

    /** Every symbol any rule looks for, once each, in rule order. */
    public List<String> allSymbols() {
        parsed();
        return Collections.unmodifiableList(allSymbols);
    }
}
