package dev.profguard.probe;

/** The probe cannot be used in this JVM; the message says why, in words fit for a user. */
public final class ProbeUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProbeUnavailableException(String message) {
        super(message);
    }

    /**
     * Throws a ProbeUnavailableException saying {@code message}, for {@code throw
     * ProbeUnavailableException.raise(...)}. Typed to return a RuntimeException: the JVM's verifier
     * loads the class of whatever a method throws, to check that it is a Throwable, so {@code throw
     * new ProbeUnavailableException(...)} in {@link NativeLoader} would load this class on every
     * start, where the probe nearly always loads (issue #16).
     */
    static RuntimeException raise(String message) throws ProbeUnavailableException {
        throw new ProbeUnavailableException(message);
    }

    /** {@code failure}, a ProbeUnavailableException, thrown again; as {@link #raise(String)}. */
    static RuntimeException raise(Exception failure) throws ProbeUnavailableException {
        throw (ProbeUnavailableException) failure;
    }
}
