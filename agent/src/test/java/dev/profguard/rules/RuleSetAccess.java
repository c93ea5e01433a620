package dev.profguard.rules;

import java.util.List;

/** Lets tests in other packages build a rule set from the built-in rules. */
public final class RuleSetAccess {
    private RuleSetAccess() {
    }

    public static List<Rule> builtin() {
        return RuleSet.builtin();
    }
}
