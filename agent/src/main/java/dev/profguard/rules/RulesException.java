package dev.profguard.rules;

/** A rules file that cannot be used; the message says where and why. */
public final class RulesException extends Exception {
    private static final long serialVersionUID = 1L;

    public RulesException(String message) {
        super(message);
    }
}
