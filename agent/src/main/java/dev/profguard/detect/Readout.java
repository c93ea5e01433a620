package dev.profguard.detect;

import java.util.List;

/**
 * What a view could read of one part of a process: a value, a failure, or both (a value that is
 * incomplete, e.g. cut at a size bound).
 *
 * @param value   what was read; null when nothing could be
 * @param failure why it is missing or incomplete; null when complete
 */
public record Readout<T>(T value, String failure) {
    public static <T> Readout<T> of(T value) {
        return new Readout<>(value, null);
    }

    public static <T> Readout<T> failed(String failure) {
        return new Readout<>(null, failure);
    }

    /**
     * The value for a detector to look at (null when nothing could be read), after adding a
     * finding of unknown strength to {@code findings} for any failure: what a check could not
     * see is reported, never passed over.
     */
    public T take(Source source, List<Finding> findings) {
        if (failure != null) {
            findings.add(Finding.unknown(source, failure));
        }
        return value;
    }
}
