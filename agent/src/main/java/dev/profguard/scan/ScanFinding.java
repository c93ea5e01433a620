package dev.profguard.scan;

import dev.profguard.detect.Finding;

/**
 * A finding of a scan.
 *
 * @param finding what the engine said
 * @param layer   the container image layer whose file it is (its digest or archive member name), or null
 */
public record ScanFinding(Finding finding, String layer) {
}
