package dev.profguard.elf;

import java.util.List;

/** What {@link ElfSymbols} learned about one file. */
public final class ElfResult {
    /** How far the read got. */
    public enum Status {
        /** An ELF file whose symbol table (if any) was read to the end. */
        OK,
        /** Not an ELF file at all (no magic): a data file, an archive, a class data share. */
        NOT_ELF,
        /** Claims to be ELF (or could not be opened) but cannot be read safely. */
        UNREADABLE
    }

    private static final ElfResult NOT_ELF = new ElfResult(Status.NOT_ELF, List.of(), false, "not ELF", 0, "");

    private final Status status;
    private final List<String> symbols;
    private final boolean hasDynamicSymbols;
    private final String reason;
    private final long zeroFill;
    private final String mismatch;

    private ElfResult(Status status, List<String> symbols, boolean hasDynamicSymbols, String reason, long zeroFill,
                      String mismatch) {
        this.status = status;
        this.symbols = List.copyOf(symbols);
        this.hasDynamicSymbols = hasDynamicSymbols;
        this.reason = reason;
        this.zeroFill = zeroFill;
        this.mismatch = mismatch;
    }

    static ElfResult ok(List<String> symbols, boolean hasDynamicSymbols, long zeroFill, String mismatch) {
        return new ElfResult(Status.OK, symbols, hasDynamicSymbols, "", zeroFill, mismatch);
    }

    static ElfResult notElf() {
        return NOT_ELF;
    }

    static ElfResult unreadable(String reason) {
        return new ElfResult(Status.UNREADABLE, List.of(), false, reason, 0, "");
    }

    public Status status() {
        return status;
    }

    /** The wanted names this file defines, sorted; empty unless {@link Status#OK}. */
    public List<String> symbols() {
        return symbols;
    }

    /** Whether the file has a dynamic symbol table at all (DT_SYMTAB or {@code .dynsym}). */
    public boolean hasDynamicSymbols() {
        return hasDynamicSymbols;
    }

    /**
     * The largest zero-filled part of a loadable segment (PT_LOAD p_memsz - p_filesz), in bytes:
     * MTuner's client carries about 1.6 GB. 0 when there is none or the program headers are unusable.
     */
    public long zeroFill() {
        return zeroFill;
    }

    /**
     * How the file's section headers disagree with its PT_DYNAMIC, which is what the dynamic linker
     * reads: "no section headers (...)", "section headers disagree with PT_DYNAMIC: .dynsym at ...",
     * "PT_DYNAMIC unusable (...)". Empty when they agree, or when there is no PT_DYNAMIC at all (a
     * relocatable object). Honest linkers never produce a disagreement; {@link #symbols()} then holds
     * what either table defines.
     */
    public String mismatch() {
        return mismatch;
    }

    /** Why the file is unreadable; empty when it was read. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        if (status != Status.OK) {
            return status + " (" + reason + ")";
        }
        return mismatch.isEmpty() ? "OK" + symbols : "OK" + symbols + " (" + mismatch + ")";
    }
}
