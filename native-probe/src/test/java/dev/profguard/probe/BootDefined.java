package dev.profguard.probe;

/** A class ProbeTest defines a second time, in the boot loader, through the probe. */
public final class BootDefined {
    private BootDefined() {
    }

    public static String where() {
        return String.valueOf(BootDefined.class.getClassLoader());
    }
}
