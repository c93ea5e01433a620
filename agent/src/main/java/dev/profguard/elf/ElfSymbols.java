package dev.profguard.elf;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
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
 * symbol table entry); the GNU hash table as glibc's dl-lookup.c and binutils read it. Every offset
 * and size read from the file is checked against the file's size and against fixed limits before
 * it is used, so a truncated, corrupt or hostile file costs at most a few small reads and yields
 * {@link ElfResult.Status#UNREADABLE}.
 *
 * <p>It runs before {@code main} on every loaded library, mostly interpreted, so it does little:
 * the header, the section header table in one read, then each wanted name is looked up through
 * {@code .gnu.hash} (its bloom filter rejects most names without touching the symbol table), as
 * the dynamic linker does. Without a usable hash table it walks {@code .dynsym} in chunks.
 */
public final class ElfSymbols {
    /** Largest section header table read whole (libc.so.6's is 4 KiB). */
    static final long MAX_SECTION_TABLE = 4L << 20;
    /** Largest section count accepted. */
    static final int MAX_SECTIONS = 65_536;
    /** Largest {@code .dynstr} read whole for a walk (libjvm.so's is about 8 KiB). */
    static final long MAX_STRTAB = 16L << 20;
    /** Largest {@code .dynsym} walked (about 2.8 million 64-bit entries). */
    static final long MAX_SYMTAB = 64L << 20;
    /** Largest {@code .gnu.hash} read whole. */
    static final long MAX_HASH = 16L << 20;

    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_GNU_HASH = 0x6ffffff6;
    private static final int SHN_UNDEF = 0;
    private static final int CHUNK = 64 * 1024;

    private final byte[][] wanted;
    private final int[] wantedHash;
    private final boolean[] firstByte = new boolean[256];
    private final boolean useHash;

    /** @param names the symbol names to look for, e.g. MTuner's client API */
    public ElfSymbols(Collection<String> names) {
        this(names, true);
    }

    /** @param useHash false to always walk the whole table (tests compare both ways) */
    ElfSymbols(Collection<String> names, boolean useHash) {
        this.useHash = useHash;
        this.wanted = new byte[names.size()][];
        this.wantedHash = new int[names.size()];
        int i = 0;
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty symbol name");
            }
            wanted[i] = bytes;
            wantedHash[i] = gnuHash(bytes);
            firstByte[bytes[0] & 0xff] = true;
            i++;
        }
    }

    /** The GNU hash function (dl_new_hash): h = h * 33 + c from 5381, on 32 bits. */
    static int gnuHash(byte[] name) {
        int h = 5381;
        for (byte b : name) {
            h = h * 33 + (b & 0xff);
        }
        return h;
    }

    /** Reads {@code file}; never throws for anything the file contains. */
    public ElfResult read(Path file) {
        File plain = file.toFile();
        if (!plain.isFile()) {
            // Also keeps FIFOs and devices out: opening a FIFO for reading would block.
            return plain.exists() ? ElfResult.unreadable("not a regular file") : ElfResult.unreadable("no such file");
        }
        try (RandomAccessFile in = new RandomAccessFile(plain, "r")) {
            return new Reader(in).read();
        } catch (IOException | SecurityException e) {
            return ElfResult.unreadable("cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    /** One read of one file. */
    private final class Reader {
        private final RandomAccessFile in;
        private long size;
        private boolean is64;
        private boolean little;

        Reader(RandomAccessFile in) {
            this.in = in;
        }

        ElfResult read() throws IOException {
            size = in.length();
            byte[] header = new byte[64];
            int got = readAt(0, header, 64);
            if (got < 4 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
                return ElfResult.notElf();
            }
            if (got < 16) {
                return ElfResult.unreadable("truncated ELF header");
            }
            if (header[4] != 1 && header[4] != 2) {
                return ElfResult.unreadable("bad ELF class " + header[4]);
            }
            if (header[5] != 1 && header[5] != 2) {
                return ElfResult.unreadable("bad ELF data encoding " + header[5]);
            }
            is64 = header[4] == 2;
            little = header[5] == 1;
            if (got < (is64 ? 64 : 52)) {
                return ElfResult.unreadable("truncated ELF header");
            }
            long zeroFill = zeroFill(header);
            long shoff = is64 ? u64(header, 0x28) : u32(header, 0x20);
            int shentsize = u16(header, is64 ? 0x3a : 0x2e);
            long shnum = u16(header, is64 ? 0x3c : 0x30);
            if (shoff == 0) {
                return ElfResult.unreadable("no section headers");
            }
            if (shentsize < (is64 ? 64 : 40)) {
                return ElfResult.unreadable("bad section header size " + shentsize);
            }
            if (shoff < 0 || shoff > size) {
                return ElfResult.unreadable("section headers outside the file");
            }
            if (shnum == 0) {
                // Extended numbering: the real count sits in section 0's sh_size (gABI).
                byte[] first = new byte[shentsize];
                if (shoff + shentsize > size || readAt(shoff, first, shentsize) != shentsize) {
                    return ElfResult.unreadable("truncated section header table");
                }
                shnum = is64 ? u64(first, 0x20) : u32(first, 0x14);
            }
            if (shnum <= 0 || shnum > MAX_SECTIONS) {
                return ElfResult.unreadable("bad section count " + shnum);
            }
            long tableSize = shnum * shentsize; // at most 2^16 * 2^16: no overflow
            if (tableSize > MAX_SECTION_TABLE) {
                return ElfResult.unreadable("section header table too large");
            }
            if (shoff + tableSize > size) {
                return ElfResult.unreadable("truncated section header table");
            }
            byte[] table = new byte[(int) tableSize];
            if (readAt(shoff, table, table.length) != table.length) {
                return ElfResult.unreadable("truncated section header table");
            }
            int dynsym = -1;
            int hash = -1;
            for (int index = 0; index < shnum; index++) {
                int type = (int) u32(table, index * shentsize + 4);
                if (type == SHT_DYNSYM && dynsym < 0) {
                    dynsym = index;
                } else if (type == SHT_GNU_HASH && hash < 0) {
                    hash = index;
                }
            }
            if (dynsym < 0) {
                return ElfResult.ok(List.of(), false, zeroFill);
            }
            Section symtab = section(table, dynsym * shentsize);
            long link = symtab.link;
            if (link <= 0 || link >= shnum) {
                return ElfResult.unreadable("bad .dynsym string table link " + link);
            }
            if (u32(table, (int) link * shentsize + 4) != SHT_STRTAB) {
                return ElfResult.unreadable("bad .dynsym string table");
            }
            Section strtab = section(table, (int) link * shentsize);
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
            if (useHash && hash >= 0) {
                Section hashtab = section(table, hash * shentsize);
                if (hashtab.link == dynsym) {
                    List<String> found = lookUp(hashtab, symtab, strtab);
                    if (found != null) {
                        return ElfResult.ok(found, true, zeroFill);
                    }
                }
            }
            return ElfResult.ok(walk(symtab, strtab), true, zeroFill);
        }

        /** The largest p_memsz - p_filesz of a PT_LOAD; 0 when the program headers are unusable. */
        private long zeroFill(byte[] header) throws IOException {
            long phoff = is64 ? u64(header, 0x20) : u32(header, 0x1c);
            int phentsize = u16(header, is64 ? 0x36 : 0x2a);
            int phnum = u16(header, is64 ? 0x38 : 0x2c);
            long tableSize = (long) phnum * phentsize;
            if (phoff <= 0 || phnum == 0 || phentsize < (is64 ? 56 : 32) || tableSize > MAX_SECTION_TABLE
                    || phoff > size || tableSize > size - phoff) {
                return 0;
            }
            byte[] table = new byte[(int) tableSize];
            if (readAt(phoff, table, table.length) != table.length) {
                return 0;
            }
            long largest = 0;
            for (int i = 0; i < phnum; i++) {
                int at = i * phentsize;
                if (u32(table, at) != 1) { // PT_LOAD
                    continue;
                }
                long filesz = is64 ? u64(table, at + 0x20) : u32(table, at + 0x10);
                long memsz = is64 ? u64(table, at + 0x28) : u32(table, at + 0x14);
                if (filesz >= 0 && memsz > filesz && memsz - filesz > largest) {
                    largest = memsz - filesz;
                }
            }
            return largest;
        }

        /** Looks each wanted name up in {@code .gnu.hash}; null when the table is not usable. */
        private List<String> lookUp(Section hashtab, Section symtab, Section strtab) throws IOException {
            if (!hashtab.within(size) || hashtab.size < 16 || hashtab.size > MAX_HASH) {
                return null;
            }
            byte[] h = new byte[(int) hashtab.size];
            if (readAt(hashtab.offset, h, h.length) != h.length) {
                return null;
            }
            long nbuckets = u32(h, 0);
            long symoffset = u32(h, 4);
            long bloomSize = u32(h, 8);
            int bloomShift = (int) u32(h, 12);
            int word = is64 ? 8 : 4;
            int bits = word * 8;
            long bucketsAt = 16 + bloomSize * word;
            long chainAt = bucketsAt + nbuckets * 4;
            long symbols = symtab.size / (is64 ? 24 : 16);
            if (nbuckets == 0 || bloomSize == 0 || chainAt > h.length || symoffset > symbols) {
                return null;
            }
            long chainLength = Math.min((h.length - chainAt) / 4, symbols - symoffset);
            Set<String> found = new TreeSet<>();
            for (int w = 0; w < wanted.length; w++) {
                long hv = wantedHash[w] & 0xffff_ffffL;
                long bloom = is64 ? u64(h, (int) (16 + ((hv / bits) % bloomSize) * word))
                        : u32(h, (int) (16 + ((hv / bits) % bloomSize) * word));
                if (((bloom >>> (hv % bits)) & (bloom >>> ((hv >>> bloomShift) % bits)) & 1) == 0) {
                    continue; // the bloom filter says: not defined here
                }
                long index = u32(h, (int) (bucketsAt + (hv % nbuckets) * 4));
                if (index == 0) {
                    continue;
                }
                if (index < symoffset) {
                    return null;
                }
                while (true) {
                    long at = index - symoffset;
                    if (at >= chainLength) {
                        return null; // a chain that runs off the table: do not trust it
                    }
                    long chain = u32(h, (int) (chainAt + at * 4));
                    if ((chain | 1) == (hv | 1) && defines(symtab, strtab, index, wanted[w])) {
                        found.add(new String(wanted[w], StandardCharsets.US_ASCII));
                        break;
                    }
                    if ((chain & 1) != 0) {
                        break;
                    }
                    index++;
                }
            }
            return new ArrayList<>(found);
        }

        /** Whether symbol {@code index} is defined and named {@code name}. */
        private boolean defines(Section symtab, Section strtab, long index, byte[] name) throws IOException {
            int symSize = is64 ? 24 : 16;
            byte[] entry = new byte[symSize];
            if (readAt(symtab.offset + index * symSize, entry, symSize) != symSize) {
                return false;
            }
            long nameOffset = u32(entry, 0);
            if (u16(entry, is64 ? 6 : 14) == SHN_UNDEF || nameOffset + name.length >= strtab.size) {
                return false;
            }
            byte[] text = new byte[name.length + 1];
            if (readAt(strtab.offset + nameOffset, text, text.length) != text.length || text[name.length] != 0) {
                return false;
            }
            for (int k = 0; k < name.length; k++) {
                if (text[k] != name[k]) {
                    return false;
                }
            }
            return true;
        }

        /** Walks every symbol: for objects without a usable hash table. */
        private List<String> walk(Section symtab, Section strtab) throws IOException {
            byte[] names = new byte[(int) strtab.size];
            if (readAt(strtab.offset, names, names.length) != names.length) {
                throw new IOException("truncated .dynstr");
            }
            int symSize = is64 ? 24 : 16;
            Set<String> found = new TreeSet<>();
            long count = symtab.size / symSize;
            int perChunk = (int) Math.min(CHUNK / symSize, Math.max(1, count));
            byte[] chunk = new byte[perChunk * symSize];
            for (long first = 0; first < count; first += perChunk) {
                int n = (int) Math.min(perChunk, count - first);
                if (readAt(symtab.offset + first * symSize, chunk, n * symSize) != n * symSize) {
                    throw new IOException("truncated .dynsym");
                }
                for (int i = 0; i < n; i++) {
                    int base = i * symSize;
                    long nameOffset = u32(chunk, base);
                    if (u16(chunk, base + (is64 ? 6 : 14)) == SHN_UNDEF || nameOffset >= names.length
                            || !firstByte[names[(int) nameOffset] & 0xff]) {
                        continue;
                    }
                    byte[] match = matchAt(names, (int) nameOffset);
                    if (match != null) {
                        found.add(new String(match, StandardCharsets.US_ASCII));
                    }
                }
            }
            return new ArrayList<>(found);
        }

        private Section section(byte[] table, int at) {
            return is64
                    ? new Section(u64(table, at + 0x18), u64(table, at + 0x20), u32(table, at + 0x28), u64(table, at + 0x38))
                    : new Section(u32(table, at + 0x10), u32(table, at + 0x14), u32(table, at + 0x18), u32(table, at + 0x24));
        }

        /** Reads up to {@code length} bytes at {@code position}; fewer only at the end of the file. */
        private int readAt(long position, byte[] into, int length) throws IOException {
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

        private int u16(byte[] b, int at) {
            return little ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 : (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
        }

        private long u32(byte[] b, int at) {
            long v = little
                    ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (long) (b[at + 3] & 0xff) << 24
                    : (long) (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
            return v & 0xffff_ffffL;
        }

        private long u64(byte[] b, int at) {
            long lo = u32(b, little ? at : at + 4);
            long hi = u32(b, little ? at + 4 : at);
            return hi << 32 | lo;
        }
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

    /** The fields of one section header that the reader uses. */
    private static final class Section {
        final long offset;
        final long size;
        final long link;
        final long entsize;

        Section(long offset, long size, long link, long entsize) {
            this.offset = offset;
            this.size = size;
            this.link = link;
            this.entsize = entsize;
        }

        boolean within(long fileSize) {
            return offset >= 0 && size >= 0 && offset <= fileSize && size <= fileSize - offset;
        }
    }
}
