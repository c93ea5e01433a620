package dev.profguard.detect;

/** How sure a finding is. */
public enum Strength {
    /** The client's code is in the process, or its capture file is open: refused in production. */
    STRONG,
    /** A sign of the client without its code (a variable, a name, a missing file): warned about. */
    WEAK,
    /** A check could not run, so the verdict does not know what it would have seen. */
    UNKNOWN
}
