package dev.profguard.probe;

/**
 * An object the dynamic linker has loaded into this process (dl_iterate_phdr).
 *
 * @param name     its name as the linker knows it, as bytes (empty for the main program); compare
 *                 with {@link #key()}, show with {@link #path()}
 * @param base     its load address
 * @param zeroFill the largest zero-filled part of one of its PT_LOAD segments (p_memsz - p_filesz):
 *                 MTuner's client carries about 1.6 GB with its default configuration
 */
public record LoadedObject(byte[] name, long base, long zeroFill) {
    /** The name as text to show (invalid UTF-8 bytes as \xNN). */
    public String path() {
        return Names.display(name);
    }

    /** A lossless key of the name, for sets and maps. */
    public String key() {
        return Names.key(name);
    }

    /** Whether the linker gives it a path (the main program and the vDSO have none): a file a client comes in. */
    public boolean isFile() {
        for (byte b : name) {
            if (b == '/') {
                return true;
            }
        }
        return false;
    }
}
