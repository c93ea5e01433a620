package dev.profguard.probe;

/** The probe cannot be used in this JVM; the message says why, in words fit for a user. */
public final class ProbeUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProbeUnavailableException(String message) {
        super(message);
    }
}
