package dev.profguard.detect;

/** Where in the process a finding was made. */
public enum Source {
    MAPPED_OBJECT("mapped object"),
    LOADED_OBJECT("loaded object"),
    LD_PRELOAD("LD_PRELOAD"),
    LD_AUDIT("LD_AUDIT"),
    VARIABLE("environment variable"),
    OPTIONS_VARIABLE("JVM options variable"),
    JVM_ARGUMENT("JVM argument"),
    TRACER("ptrace tracer"),
    OPEN_FILE("open file"),
    FILE("file"),
    LIBRARY_LOAD("library load"),
    INSPECTION("inspection");

    private final String label;

    Source(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
