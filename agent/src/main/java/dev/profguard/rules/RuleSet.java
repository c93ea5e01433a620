package dev.profguard.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The rules in force: the built-in ones, plus those of an optional rules file. */
public final class RuleSet {
    private final List<Rule> rules;
    private final List<String> allSymbols;
    private final List<String> allMarks;

    public RuleSet(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        Set<String> symbols = new LinkedHashSet<>();
        Set<String> marks = new LinkedHashSet<>();
        for (Rule rule : rules) {
            symbols.addAll(rule.symbols());
            marks.addAll(rule.marks());
        }
        this.allSymbols = List.copyOf(symbols);
        this.allMarks = List.copyOf(marks);
    }

    /** The built-in rules, then those of {@code extraFile} when it is not null. */
    public static RuleSet load(Path extraFile) throws RulesException {
        List<Rule> rules = new ArrayList<>(builtin());
        if (extraFile != null) {
            Set<String> ids = new LinkedHashSet<>();
            for (Rule rule : RulesParser.parse(extraFile)) {
                if (!ids.add(rule.id())) {
                    throw new RulesException(extraFile + ": rule id '" + rule.id() + "' is defined twice");
                }
                // A built-in rule with the same id is replaced (enabled = false: removed).
                boolean replaced = false;
                for (int i = rules.size() - 1; i >= 0; i--) { // no lambda: this runs before main
                    if (rules.get(i).id().equals(rule.id())) {
                        rules.remove(i);
                        replaced = true;
                    }
                }
                if (!rule.enabled() && !replaced) {
                    throw new RulesException(extraFile + ": rule '" + rule.id() + "' has enabled = false but there is"
                            + " no built-in rule '" + rule.id() + "' to switch off");
                }
                if (rule.enabled()) {
                    rules.add(rule);
                }
            }
        }
        return new RuleSet(rules);
    }

    static List<Rule> builtin() {
        try {
            return RulesParser.parse(BuiltinRules.TEXT, "built-in rules");
        } catch (RulesException e) {
            throw new IllegalStateException("profguard has broken built-in rules: " + e.getMessage(), e);
        }
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rule with that id, or null. */
    public Rule byId(String id) {
        for (Rule rule : rules) {
            if (rule.id().equals(id)) {
                return rule;
            }
        }
        return null;
    }

    /** Every mark any rule looks for, once each, in rule order. */
    public List<String> allMarks() {
        return allMarks;
    }

    /** Every symbol any rule looks for, once each, in rule order. */
    public List<String> allSymbols() {
        return Collections.unmodifiableList(allSymbols);
    }
}
