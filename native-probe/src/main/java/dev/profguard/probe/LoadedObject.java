package dev.profguard.probe;

/**
 * An object the dynamic linker has loaded into this process (dl_iterate_phdr).
 *
 * @param path     its name as the linker knows it; empty for the main program
 * @param base     its load address
 * @param zeroFill the largest zero-filled part of one of its PT_LOAD segments (p_memsz - p_filesz):
 *                 MTuner's client carries about 1.6 GB with its default configuration
 */
public record LoadedObject(String path, long base, long zeroFill) {
}
