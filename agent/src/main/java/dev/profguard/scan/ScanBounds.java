package dev.profguard.scan;

import java.io.IOException;

/** An input that goes past one of the scan's bounds: reported as not inspected, never followed. */
final class ScanBounds extends IOException {
    private static final long serialVersionUID = 1L;

    ScanBounds(String message) {
        super(message);
    }
}
