package dev.profguard.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code check --all}: a JVM and its judgement, a process that could not be inspected
 * (and why), or a JVM that exited while it was being judged.
 *
 * @param process what {@code /proc/PID/stat} said of it when the round reached it
 * @param uid     the uid owning {@code /proc/PID}, or -1
 * @param kind    which of the three it is
 * @param why     why it counts as a JVM (null when not inspected)
 * @param reason  why it was not inspected, or how it exited (null for a judged JVM)
 * @param check   the judgement {@code check --pid} makes of it (null unless judged)
 */
record FleetEntry(HostProcess process, int uid, Kind kind, String why, String reason, ProcessCheck check) {
    enum Kind {
        JVM("judged"), NOT_INSPECTED("not_inspected"), EXITED("exited");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    static FleetEntry judged(HostProcess process, int uid, String why, ProcessCheck check) {
        return new FleetEntry(process, uid, Kind.JVM, why, null, check);
    }

    static FleetEntry notInspected(HostProcess process, int uid, String reason) {
        return new FleetEntry(process, uid, Kind.NOT_INSPECTED, null, reason, null);
    }

    static FleetEntry exited(HostProcess process, int uid, String why, String reason) {
        return new FleetEntry(process, uid, Kind.EXITED, why, reason, null);
    }

    /** Its part of the exit status: a judged JVM's own; 2 not inspected; 0 gone (the next round sees what took its pid). */
    int status() {
        return switch (kind) {
            case JVM -> check.status();
            case NOT_INSPECTED -> 2;
            case EXITED -> 0;
        };
    }

    /** clean, found, switched_off, error (judged); not_inspected; exited. */
    String statusWord() {
        return kind == Kind.JVM ? check.statusWord() : kind.word;
    }

    /** The message: the judgement's line, or why it was not judged. */
    String line() {
        return kind == Kind.JVM ? check.line() : "process " + process.pid() + " (" + process.name() + ") "
                + (kind == Kind.EXITED ? reason : "not inspected: " + reason);
    }

    Map<String, Object> json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pid", process.pid());
        out.put("start_time", process.startTime());
        out.put("uid", uid);
        out.put("name", process.name());
        out.put("inspection", kind.word);
        out.put("jvm", why);
        if (kind == Kind.JVM) {
            Map<String, Object> judged = check.json();
            judged.remove("pid");
            judged.remove("target");
            out.putAll(judged);
        } else {
            out.put("status", statusWord());
            out.put("exit_status", status());
            out.put("message", "profguard: " + line());
            out.put("reason", reason);
        }
        return out;
    }
}
