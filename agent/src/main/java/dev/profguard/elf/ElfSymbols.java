package dev.profguard.elf;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds which of a set of wanted names an ELF shared object defines in its dynamic symbol table.
 *
 * <p>Layout from the System V gABI, "Object Files" chapter (ELF header, section header,
 * symbol table entry). Every offset and size read from the file is checked against the file's
 * size and against fixed limits before it is used, so a truncated, corrupt or hostile file
 * costs at most a few small reads and yields {@link ElfResult.Status#UNREADABLE}.
 *
 * <p>It runs before {@code main} on every mapped library, mostly interpreted, so it makes few
 * reads (header, whole section header table, .dynsym in chunks, .dynstr) through
 * {@link RandomAccessFile}, whose classes the JVM has already loaded.
 */
public final class ElfSymbols {
    /** Largest section header table we walk. */
    static final int MAX_SECTIONS = 65_536;
    /** Largest section header table we read whole (libc.so.6's is 4 KiB). */
    static final long MAX_SECTION_TABLE = 4L << 20;
    /** Largest {@code .dynstr} we read whole (libjvm.so's is about 8 KiB). */
    static final long MAX_STRTAB = 16L << 20;
    /** Largest {@code .dynsym} we walk (about 2.8 million 64-bit entries). */
    static final long MAX_SYMTAB = 64L << 20;

    private static final int SHT_DYNSYM = 11;
    private static final int SHT_STRTAB = 3;
    private static final int SHN_UNDEF = 0;
    private static final int CHUNK = 64 * 1024;

    private final byte[][] wanted;
    private final boolean[] firstByte = new boolean[256];

    /** @param names the symbol names to look for, e.g. MTuner's client API */
    public ElfSymbols(Collection<String> names) {
        this.wanted = new byte[names.size()][];
        int i = 0;
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty symbol name");
            }
            wanted[i++] = bytes;
            firstByte[bytes[0] & 0xff] = true;
        }
    }

    /** Reads {@code file}; never throws for anything the file contains. */
    public ElfResult read(Path file) {
        File plain = file.toFile();
        if (!plain.isFile()) {
            // Also keeps FIFOs and devices out: opening a FIFO for reading would block.
            return plain.exists() ? ElfResult.unreadable("not a regular file") : ElfResult.unreadable("no such file");
        }
        try (RandomAccessFile in = new RandomAccessFile(plain, "r")) {
            return read(in);
        } catch (IOException | SecurityException e) {
            return ElfResult.unreadable("cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    private ElfResult read(RandomAccessFile in) throws IOException {
        long size = in.length();
        ByteBuffer ident = ByteBuffer.wrap(new byte[64]);
        int got = readAt(in, 0, ident.array(), 64);
        if (got < 4 || ident.get(0) != 0x7f || ident.get(1) != 'E' || ident.get(2) != 'L'
                || ident.get(3) != 'F') {
            return ElfResult.notElf();
        }
        if (got < 16) {
            return ElfResult.unreadable("truncated ELF header");
        }
        boolean is64;
        switch (ident.get(4)) {
            case 1: is64 = false; break;
            case 2: is64 = true; break;
            default: return ElfResult.unreadable("bad ELF class " + ident.get(4));
        }
        switch (ident.get(5)) {
            case 1: ident.order(ByteOrder.LITTLE_ENDIAN); break;
            case 2: ident.order(ByteOrder.BIG_ENDIAN); break;
            default: return ElfResult.unreadable("bad ELF data encoding " + ident.get(5));
        }
        int headerSize = is64 ? 64 : 52;
        if (got < headerSize) {
            return ElfResult.unreadable("truncated ELF header");
        }
        long shoff = is64 ? ident.getLong(0x28) : u32(ident.getInt(0x20));
        int shentsize = u16(ident.getShort(is64 ? 0x3a : 0x2e));
        long shnum = u16(ident.getShort(is64 ? 0x3c : 0x30));
        int minEntry = is64 ? 64 : 40;
        if (shoff == 0) {
            return ElfResult.unreadable("no section headers");
        }
        if (shentsize < minEntry) {
            return ElfResult.unreadable("bad section header size " + shentsize);
        }
        if (shoff < 0 || shoff > size) {
            return ElfResult.unreadable("section headers outside the file");
        }
        ByteOrder order = ident.order();
        if (shnum == 0) {
            // Extended numbering: the real count sits in section 0's sh_size (gABI).
            ByteBuffer first = ByteBuffer.wrap(new byte[shentsize]).order(order);
            if (shoff + shentsize > size || readAt(in, shoff, first.array(), shentsize) != shentsize) {
                return ElfResult.unreadable("truncated section header table");
            }
            shnum = is64 ? first.getLong(0x20) : u32(first.getInt(0x14));
        }
        if (shnum <= 0 || shnum > MAX_SECTIONS) {
            return ElfResult.unreadable("bad section count " + shnum);
        }
        long tableSize = shnum * shentsize; // at most 65,536 * 65,535: fits, and is checked below
        if (tableSize > MAX_SECTION_TABLE) {
            return ElfResult.unreadable("section header table too large");
        }
        if (shoff + tableSize > size) {
            return ElfResult.unreadable("truncated section header table");
        }
        ByteBuffer table = ByteBuffer.wrap(new byte[(int) tableSize]).order(order);
        if (readAt(in, shoff, table.array(), (int) tableSize) != tableSize) {
            return ElfResult.unreadable("truncated section header table");
        }
        for (int index = 0; index < shnum; index++) {
            int at = index * shentsize;
            if (table.getInt(at + 4) != SHT_DYNSYM) {
                continue;
            }
            Section symtab = Section.of(table, at, is64);
            long link = symtab.link;
            if (link <= 0 || link >= shnum) {
                return ElfResult.unreadable("bad .dynsym string table link " + link);
            }
            int linkAt = (int) link * shentsize;
            if (table.getInt(linkAt + 4) != SHT_STRTAB) {
                return ElfResult.unreadable("bad .dynsym string table");
            }
            return matchSymbols(in, size, symtab, Section.of(table, linkAt, is64), is64, order);
        }
        return ElfResult.ok(List.of(), false);
    }

    private ElfResult matchSymbols(RandomAccessFile in, long size, Section symtab, Section strtab,
                                   boolean is64, ByteOrder order) throws IOException {
        int symSize = is64 ? 24 : 16;
        if (symtab.entsize != symSize) {
            return ElfResult.unreadable("bad .dynsym entry size " + symtab.entsize);
        }
        if (!symtab.within(size) || !strtab.within(size)) {
            return ElfResult.unreadable("symbol tables outside the file");
        }
        if (symtab.size > MAX_SYMTAB || strtab.size > MAX_STRTAB) {
            return ElfResult.unreadable("symbol tables too large");
        }
        byte[] names = new byte[(int) strtab.size];
        if (readAt(in, strtab.offset, names, names.length) != names.length) {
            return ElfResult.unreadable("truncated .dynstr");
        }
        Set<String> found = new TreeSet<>();
        long count = symtab.size / symSize;
        int perChunk = (int) Math.min(CHUNK / symSize, Math.max(1, count));
        ByteBuffer chunk = ByteBuffer.wrap(new byte[perChunk * symSize]).order(order);
        for (long first = 0; first < count; first += perChunk) {
            int n = (int) Math.min(perChunk, count - first);
            if (readAt(in, symtab.offset + first * symSize, chunk.array(), n * symSize) != n * symSize) {
                return ElfResult.unreadable("truncated .dynsym");
            }
            for (int i = 0; i < n; i++) {
                int base = i * symSize;
                long nameOffset = u32(chunk.getInt(base));
                int shndx = u16(chunk.getShort(base + (is64 ? 6 : 14)));
                if (shndx == SHN_UNDEF || nameOffset >= names.length
                        || !firstByte[names[(int) nameOffset] & 0xff]) {
                    continue;
                }
                byte[] match = matchAt(names, (int) nameOffset);
                if (match != null) {
                    found.add(new String(match, StandardCharsets.US_ASCII));
                }
            }
        }
        return ElfResult.ok(new ArrayList<>(found), true);
    }

    /** The wanted name stored NUL-terminated at {@code offset}, or null. */
    private byte[] matchAt(byte[] names, int offset) {
        outer:
        for (byte[] name : wanted) {
            int end = offset + name.length;
            if (end >= names.length || names[end] != 0) {
                continue;
            }
            for (int k = 0; k < name.length; k++) {
                if (names[offset + k] != name[k]) {
                    continue outer;
                }
            }
            return name;
        }
        return null;
    }

    /** Reads up to {@code length} bytes at {@code position}; fewer only at the end of the file. */
    private static int readAt(RandomAccessFile in, long position, byte[] into, int length) throws IOException {
        in.seek(position);
        int total = 0;
        while (total < length) {
            int n = in.read(into, total, length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static long u32(int value) {
        return value & 0xffff_ffffL;
    }

    private static int u16(short value) {
        return value & 0xffff;
    }

    /** The fields of one section header that the symbol walk uses. */
    private static final class Section {
        final long offset;
        final long size;
        final long link;
        final long entsize;

        private Section(long offset, long size, long link, long entsize) {
            this.offset = offset;
            this.size = size;
            this.link = link;
            this.entsize = entsize;
        }

        static Section of(ByteBuffer h, int at, boolean is64) {
            return is64
                    ? new Section(h.getLong(at + 0x18), h.getLong(at + 0x20), u32(h.getInt(at + 0x28)),
                            h.getLong(at + 0x38))
                    : new Section(u32(h.getInt(at + 0x10)), u32(h.getInt(at + 0x14)), u32(h.getInt(at + 0x18)),
                            u32(h.getInt(at + 0x24)));
        }

        boolean within(long fileSize) {
            return offset >= 0 && size >= 0 && offset <= fileSize && size <= fileSize - offset;
        }
    }
}
