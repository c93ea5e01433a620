package dev.profguard.elf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One read of one file for {@link ElfSymbols}, as the dynamic linker reads it: program headers
 * (PT_LOAD to map virtual addresses to file offsets, PT_DYNAMIC), then the dynamic section's
 * DT_SYMTAB, DT_STRTAB, DT_GNU_HASH and DT_HASH (glibc's elf/dl-load.c, get-dynamic-info.h,
 * dl-lookup.c); the section headers as fallback and cross-check. Layouts from the System V gABI
 * ("Object Files", "Program Loading", "Dynamic Linking"); the GNU hash table as glibc's
 * dl-lookup.c and binutils read it.
 */
final class ElfReader {
    /** Largest section or program header table read whole (libc.so.6's section table is 4 KiB). */
    static final long MAX_SECTION_TABLE = 4L << 20;
    /** Largest section count accepted. */
    static final int MAX_SECTIONS = 65_536;
    /** Largest string table read whole for a walk (libjvm.so's is about 8 KiB). */
    static final long MAX_STRTAB = 16L << 20;
    /** Largest symbol table walked (about 2.8 million 64-bit entries). */
    static final long MAX_SYMTAB = 64L << 20;
    /** Largest hash table read whole. */
    static final long MAX_HASH = 16L << 20;
    /**
     * Most symbol entries a hash lookup reads (one read each) before it stops trusting the table
     * and walks it in chunks instead: real chains are a few entries long, a hostile one millions.
     */
    static final int MAX_PROBES = 4096;
    /** Largest dynamic section read while looking for its DT_NULL (libjvm.so's is 592 bytes). */
    static final int MAX_DYNAMIC = 64 * 1024;

    private static final int SHT_STRTAB = 3;
    private static final int SHT_HASH = 5;
    private static final int SHT_DYNSYM = 11;
    private static final int SHT_GNU_HASH = 0x6ffffff6;
    private static final int SHN_UNDEF = 0;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int DT_HASH = 4;
    private static final int DT_STRTAB = 5;
    private static final int DT_SYMTAB = 6;
    private static final int DT_STRSZ = 10;
    private static final int DT_GNU_HASH = 0x6ffffef5;
    /** Bits of {@code seen}: which of the dynamic tags above the dynamic section holds. */
    private static final int SEEN_SYMTAB = 1;
    private static final int SEEN_STRTAB = 2;
    private static final int SEEN_STRSZ = 4;
    private static final int SEEN_GNU_HASH = 8;
    private static final int SEEN_HASH = 16;
    private static final int CHUNK = 64 * 1024;
    /** The first read: the headers and, in most libraries, the hash table come with it. */
    private static final int HEAD = 4096;
    /** The mapping granularity ld.so uses on x86-64 and most other targets. */
    private static final long PAGE = 4096;

    private final ElfSymbols owner;
    private final byte[][] wanted;
    private final int[] wantedHash;
    private final long[] wantedSysvHash;
    private final boolean[] firstByte;
    private final boolean useHash;
    private final RandomAccessFile in;
    private final byte[] image;
    private final long size;
    private byte[] head;
    private int headLength;
    private boolean is64;
    private boolean little;
    private int symSize;

    /** PT_LOAD segments, four longs each: p_vaddr, p_offset, p_filesz, p_memsz. */
    private long[] loads = new long[0];
    private int loadCount;
    private long zeroFill;
    /** The PT_DYNAMIC ld.so uses: the last with p_filesz != 0. */
    private boolean hasDynamic;
    private long dynamicVaddr;
    private long dynamicFilesz;
    /** Values of the dynamic tags read, and which tags were there (SEEN_* bits). */
    private long symtabVa;
    private long strtabVa;
    private long strsz;
    private long gnuHashVa;
    private long hashVa;
    private int seen;
    /** Set by {@link #mapped}: bytes from the mapped offset to the end of its segment's file data. */
    private long room;
    /** Set by {@link #mapped}: as {@link #room}, to the segment's p_filesz instead of its page end. */
    private long exactRoom;
    /** Addresses of the tables the dynamic section names, to bound a symbol table of unknown length. */
    private final long[] tables = new long[16];
    private int tableCount;
    /** Set by {@link #gnuWhole}: the symbol count the GNU hash table implies. */
    private long gnuCount;

    /** Section headers: .dynsym, its string table, .gnu.hash; null when absent. */
    private Section sectionSymtab;
    private Section sectionStrtab;
    private Section sectionHash;
    private int sectionDynsym = -1;
    /** File offsets of the hash sections (.gnu.hash, .hash), -1 when absent. */
    private long sectionGnuHashAt = -1;
    private long sectionSysvHashAt = -1;
    /** The symbol count PT_DYNAMIC's hash table gives, -1 when there was none to count with. */
    private long dynamicCount = -1;

    /** Reads {@code in} (or {@code image} when in is null), {@code size} bytes, for {@code owner}'s names. */
    ElfReader(ElfSymbols owner, RandomAccessFile in, byte[] image, long size) {
        this.owner = owner;
        this.wanted = owner.wanted;
        this.wantedHash = owner.wantedHash;
        this.wantedSysvHash = owner.wantedSysvHash;
        this.firstByte = owner.firstByte;
        this.useHash = owner.useHash;
        this.in = in;
        this.image = image;
        this.size = size;
    }

    ElfResult read() throws IOException {
        if (size == 0) {
            return ElfResult.notElf(); // nothing to read; also never reads a device swapped in
        }
        headLength = (int) Math.min(size, HEAD);
        head = new byte[headLength];
        if (image != null) {
            System.arraycopy(image, 0, head, 0, headLength);
        } else {
            headLength = readFile(0, head, headLength);
        }
        byte[] header = head;
        int got = headLength;
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
        symSize = is64 ? 24 : 16;
        if (got < (is64 ? 64 : 52)) {
            return ElfResult.unreadable("truncated ELF header");
        }
        programHeaders(header);
        String dynamicProblem = hasDynamic ? dynamicTags() : null;
        String sectionProblem = sectionHeaders(header);
        Set<String> found = new TreeSet<>();
        if (hasDynamic && dynamicProblem == null) {
            String problem = dynamicSymbols(found);
            String mismatch = mismatch(sectionProblem);
            if (sectionProblem == null && sectionSymtab != null && (problem != null || !mismatch.isEmpty())) {
                try {
                    sectionSymbols(found); // the union: what either table defines
                } catch (IOException e) {
                    mismatch = mismatch + "; " + e.getMessage();
                }
            }
            if (problem != null && found.isEmpty()) {
                return ElfResult.unreadable(problem);
            }
            String note = problem == null ? mismatch
                    : "PT_DYNAMIC's tables unusable (" + problem + ")" + (mismatch.isEmpty() ? "" : "; " + mismatch);
            return ElfResult.ok(new ArrayList<>(found), (seen & SEEN_SYMTAB) != 0 || sectionSymtab != null, zeroFill, note);
        }
        // No usable PT_DYNAMIC (a relocatable object, a static program, a broken file): what
        // the section headers say is all there is.
        String note = dynamicProblem == null ? "" : "PT_DYNAMIC unusable (" + dynamicProblem + ")";
        if (sectionProblem != null) {
            return ElfResult.unreadable(note.isEmpty() ? sectionProblem : sectionProblem + "; " + note);
        }
        if (sectionSymtab == null) {
            return ElfResult.ok(List.of(), false, zeroFill, note);
        }
        sectionSymbols(found);
        return ElfResult.ok(new ArrayList<>(found), true, zeroFill, note);
    }

    /** Collects the PT_LOAD segments, the PT_DYNAMIC and the largest zero fill; quiet when unusable. */
    private void programHeaders(byte[] header) throws IOException {
        long phoff = is64 ? u64(header, 0x20) : u32(header, 0x1c);
        int phentsize = u16(header, is64 ? 0x36 : 0x2a);
        int phnum = u16(header, is64 ? 0x38 : 0x2c);
        long tableSize = (long) phnum * phentsize;
        if (phoff <= 0 || phnum == 0 || phentsize < (is64 ? 56 : 32) || tableSize > MAX_SECTION_TABLE
                || phoff > size || tableSize > size - phoff) {
            return;
        }
        byte[] table = new byte[(int) tableSize];
        if (readAt(phoff, table, table.length) != table.length) {
            return;
        }
        loads = new long[4 * phnum];
        for (int i = 0; i < phnum; i++) {
            int at = i * phentsize;
            long type = u32(table, at);
            if (type != PT_LOAD && type != PT_DYNAMIC) {
                continue;
            }
            long offset = is64 ? u64(table, at + 0x08) : u32(table, at + 0x04);
            long vaddr = is64 ? u64(table, at + 0x10) : u32(table, at + 0x08);
            long filesz = is64 ? u64(table, at + 0x20) : u32(table, at + 0x10);
            long memsz = is64 ? u64(table, at + 0x28) : u32(table, at + 0x14);
            if (type == PT_DYNAMIC) {
                if (filesz != 0) { // ld.so skips an empty one (debuginfo files) and keeps the last
                    hasDynamic = true;
                    dynamicVaddr = vaddr;
                    dynamicFilesz = filesz;
                }
                continue;
            }
            if (filesz >= 0 && memsz > filesz && memsz - filesz > zeroFill) {
                zeroFill = memsz - filesz;
            }
            loads[4 * loadCount] = vaddr;
            loads[4 * loadCount + 1] = offset;
            loads[4 * loadCount + 2] = filesz;
            loads[4 * loadCount + 3] = memsz;
            loadCount++;
        }
    }

    /**
     * The file offset where ld.so's mapping shows virtual address {@code va} (sets {@link #room}),
     * or -1 when no segment maps file data there. Segments are mapped in whole pages and a later
     * one replaces an earlier one where they overlap (dl-map-segments.h); the tail of the last
     * page shows file data unless the segment has a zero fill.
     */
    private long mapped(long va) {
        long offset = -1;
        for (int i = 0; i < loadCount; i++) {
            long vaddr = loads[4 * i];
            long fileOffset = loads[4 * i + 1];
            long filesz = loads[4 * i + 2];
            long memsz = loads[4 * i + 3];
            if (vaddr < 0 || fileOffset < 0 || filesz < 0 || memsz < 0
                    || vaddr > Long.MAX_VALUE - Math.max(memsz, filesz) - PAGE || (vaddr - fileOffset) % PAGE != 0) {
                continue; // ld.so refuses such a segment (or it cannot exist in memory)
            }
            long start = vaddr & -PAGE;
            long end = (vaddr + Math.max(memsz, filesz) + PAGE - 1) & -PAGE;
            if (va < start || va >= end) {
                continue;
            }
            long dataEnd = memsz > filesz ? vaddr + filesz : (vaddr + filesz + PAGE - 1) & -PAGE;
            if (va >= dataEnd) {
                offset = -1; // zero fill: no file data there
                continue;
            }
            offset = (fileOffset & -PAGE) + (va - start);
            room = dataEnd - va;
            exactRoom = Math.max(0, vaddr + filesz - va);
        }
        if (offset < 0 || offset >= size || room <= 0) {
            return -1;
        }
        room = Math.min(room, size - offset);
        exactRoom = Math.min(exactRoom, room);
        return offset;
    }

    /** Reads the tags of the dynamic section ld.so uses; null when read, else why not. */
    private String dynamicTags() throws IOException {
        long at = mapped(dynamicVaddr);
        if (at < 0) {
            return "PT_DYNAMIC outside the loaded segments";
        }
        int entry = is64 ? 16 : 8;
        long limit = Math.min(room, MAX_DYNAMIC);
        int length = (int) Math.min(limit, Math.max(dynamicFilesz, 512));
        while (true) {
            length -= length % entry;
            byte[] table = new byte[length];
            if (readAt(at, table, length) != length) {
                return "truncated dynamic section";
            }
            tableCount = 0; // each pass reads the section from its start
            for (int i = 0; i + entry <= length; i += entry) {
                long tag = is64 ? u64(table, i) : u32(table, i);
                if (tag == 0) { // DT_NULL
                    return null;
                }
                if (tag != DT_SYMTAB && tag != DT_STRSZ && !isTable(tag)) {
                    continue;
                }
                long value = is64 ? u64(table, i + 8) : u32(table, i + 4);
                // A later entry replaces an earlier one with the same tag (get-dynamic-info.h).
                // DT_SYMENT is not needed: ld.so reads entries of its own Sym size whatever it says.
                if (tag == DT_SYMTAB) {
                    symtabVa = value;
                    seen |= SEEN_SYMTAB;
                } else if (tag == DT_STRTAB) {
                    strtabVa = value;
                    seen |= SEEN_STRTAB;
                } else if (tag == DT_STRSZ) {
                    strsz = value;
                    seen |= SEEN_STRSZ;
                } else if (tag == DT_GNU_HASH) {
                    gnuHashVa = value;
                    seen |= SEEN_GNU_HASH;
                } else if (tag == DT_HASH) {
                    hashVa = value;
                    seen |= SEEN_HASH;
                }
                if (isTable(tag) && tableCount < tables.length) {
                    tables[tableCount++] = value;
                }
            }
            if (length + entry > limit) {
                // Past the segment's file data ld.so reads the zero fill, a DT_NULL; past the
                // limit we cannot tell what it reads.
                return room <= MAX_DYNAMIC ? null : "dynamic section without DT_NULL";
            }
            length = (int) Math.min(limit, 8L * length);
        }
    }

    /** Tags whose value is the address of a table (gABI "Dynamic Section", GNU extensions). */
    private boolean isTable(long tag) {
        return tag == DT_HASH || tag == DT_STRTAB || tag == 7 || tag == 17 || tag == 23 // RELA, REL, JMPREL
                || tag == DT_GNU_HASH || tag == 0x6ffffff0 || tag == 0x6ffffffc || tag == 0x6ffffffe; // VERSYM, VERDEF, VERNEED
    }

    /** Looks the wanted names up through PT_DYNAMIC's tables into {@code found}; null, or why not. */
    private String dynamicSymbols(Set<String> found) throws IOException {
        if ((seen & SEEN_SYMTAB) == 0) {
            return null; // nothing for ld.so to bind
        }
        long symtabAt = mapped(symtabVa);
        long symtabRoom = room;
        long symtabExact = exactRoom;
        if (symtabAt < 0 || symtabRoom < symSize) {
            return "DT_SYMTAB outside the loaded segments";
        }
        long strtabAt = (seen & SEEN_STRTAB) == 0 ? -1 : mapped(strtabVa);
        if (strtabAt < 0) {
            return "DT_STRTAB missing or outside the loaded segments";
        }
        // ld.so does not bound names by DT_STRSZ: neither may a lookup, only the walk's preload.
        Section strtab = new Section(strtabAt, room, 0, 0);
        long preload = Math.min(Math.min(room, MAX_STRTAB), (seen & SEEN_STRSZ) != 0 && strsz > 0 ? strsz : room);
        long symbols = symtabRoom / symSize; // as many as the segment holds: bounds every index
        long count = -1;
        if ((seen & SEEN_GNU_HASH) != 0) { // ld.so uses DT_GNU_HASH when there is one
            long at = mapped(gnuHashVa);
            long limit = Math.min(room, MAX_HASH);
            // Honest section headers give the table's size: then one read fetches it whole.
            long hint = sectionHash != null && sectionGnuHashAt == at ? sectionHash.size : 0;
            byte[] gnu = at < 0 ? null : gnuTable(at, limit, hint);
            List<String> hit = gnu != null && useHash
                    ? lookUp(gnu, new Section(symtabAt, symbols * symSize, 0, symSize), strtab, symbols) : null;
            if (gnu != null && hit == null) {
                // A chain ran past what was read, or the walk needs the count: count the table
                // (every bucket) and read it whole; then look up again.
                gnu = gnuWhole(gnu, at, limit);
                if (gnu != null) {
                    count = gnuCount;
                    dynamicCount = count;
                    long reach = count < 0 ? symbols : Math.min(count, symbols);
                    hit = useHash ? lookUp(gnu, new Section(symtabAt, reach * symSize, 0, symSize), strtab, reach)
                            : null;
                }
            }
            if (hit != null) {
                found.addAll(hit);
                return null;
            }
        }
        if ((seen & SEEN_HASH) != 0) {
            long at = mapped(hashVa);
            byte[] sysv = null;
            if (at >= 0 && room >= 8) {
                byte[] counts = new byte[8];
                readAt(at, counts, 8);
                long nbucket = u32(counts, 0);
                long nchain = u32(counts, 4);
                long hashSize = 8 + 4 * (nbucket + nchain);
                if (nbucket > 0 && hashSize <= room && hashSize <= MAX_HASH) {
                    sysv = new byte[(int) hashSize];
                    if (readAt(at, sysv, sysv.length) != sysv.length) {
                        sysv = null;
                    } else if (count < 0) {
                        count = nchain;
                        dynamicCount = count;
                    }
                }
            }
            if (useHash && sysv != null) {
                long reach = Math.min(count, symbols);
                List<String> hit = lookUpSysv(sysv, new Section(symtabAt, reach * symSize, 0, symSize), strtab,
                        reach);
                if (hit != null) {
                    found.addAll(hit);
                    return null;
                }
            }
        }
        boolean guessed = count < 0;
        if (guessed) {
            // No usable hash table to count with (ld.so then binds nothing from this object; the
            // walk is extra evidence): up to the next table the dynamic section names, as linkers
            // lay them out, or the end of the segment's data, whichever comes first.
            long end = symtabExact;
            for (int i = 0; i < tableCount; i++) {
                long next = tables[i] - symtabVa;
                if (tables[i] > symtabVa && next > 0 && next < end) {
                    end = next;
                }
            }
            count = Math.min(end / symSize, MAX_SYMTAB / symSize);
        }
        count = Math.min(count, symbols); // ld.so would read past the file: we cannot
        if (count * symSize > MAX_SYMTAB) {
            return "symbol table too large";
        }
        walk(new Section(symtabAt, count * symSize, 0, symSize), strtab, preload, guessed, found);
        return null;
    }

    /**
     * The start of the GNU hash table at {@code at}: its header, bloom filter and buckets, and
     * as much of its chains as {@code hint} (the section's size, when the section headers agree)
     * covers, or 4 KiB; null when unusable. Counting the table means reading every bucket, so
     * it is left to {@link #gnuWhole}, for when a lookup needs more. With a hint the table's
     * size tells the symbol count ({@link #dynamicCount}, to check .dynsym's size against).
     */
    private byte[] gnuTable(long at, long limit, long hint) throws IOException {
        if (limit < 16) {
            return null;
        }
        byte[] h = region(at, Math.min(limit, hint >= 16 ? hint : 4096));
        if (h == null) {
            return null;
        }
        long nbuckets = u32(h, 0);
        long symoffset = u32(h, 4);
        long bloomSize = u32(h, 8);
        long chainAt = 16 + bloomSize * (is64 ? 8 : 4) + nbuckets * 4;
        if (nbuckets == 0 || bloomSize == 0 || chainAt > limit) {
            return null;
        }
        if (chainAt > h.length) {
            return region(at, Math.min(limit, chainAt + 4096));
        }
        if (h.length == hint && hint > chainAt && (hint - chainAt) % 4 == 0) {
            dynamicCount = symoffset + (hint - chainAt) / 4; // one chain word per hashed symbol
        }
        return h;
    }

    /**
     * The GNU hash table {@code h} starts, read whole, or null when unusable; sets
     * {@link #gnuCount}, -1 when the table cannot tell. The chains' length is not stored: the
     * highest bucket's chain, followed to its end bit, ends the table (as binutils counts).
     */
    private byte[] gnuWhole(byte[] h, long at, long limit) throws IOException {
        long nbuckets = u32(h, 0);
        long symoffset = u32(h, 4);
        long chainAt = 16 + u32(h, 8) * (is64 ? 8 : 4) + nbuckets * 4;
        long highest = 0;
        for (long i = chainAt - nbuckets * 4; i < chainAt; i += 4) {
            highest = Math.max(highest, u32(h, (int) i));
        }
        if (highest == 0) {
            gnuCount = -1; // nothing hashed: symoffset only bounds the count from below
            return h;
        }
        if (highest < symoffset) {
            return null;
        }
        long index = highest;
        while (true) {
            long wordAt = chainAt + (index - symoffset) * 4;
            if (wordAt + 4 > h.length) {
                if (h.length >= limit) {
                    return null; // a chain that runs off the table
                }
                h = region(at, Math.min(limit, Math.max(2L * h.length, wordAt + 4096)));
                if (h == null) {
                    return null;
                }
                continue;
            }
            if ((u32(h, (int) wordAt) & 1) != 0) {
                gnuCount = index + 1;
                return h;
            }
            index++;
        }
    }

    /** {@code length} bytes at {@code at}, or null when the file ends first. */
    private byte[] region(long at, long length) throws IOException {
        byte[] bytes = new byte[(int) length];
        return readAt(at, bytes, bytes.length) == bytes.length ? bytes : null;
    }

    /** Reads the section header table; null when read (or there is no .dynsym), else why not. */
    private String sectionHeaders(byte[] header) throws IOException {
        long shoff = is64 ? u64(header, 0x28) : u32(header, 0x20);
        int shentsize = u16(header, is64 ? 0x3a : 0x2e);
        long shnum = u16(header, is64 ? 0x3c : 0x30);
        if (shoff == 0) {
            return "no section headers";
        }
        if (shentsize < (is64 ? 64 : 40)) {
            return "bad section header size " + shentsize;
        }
        if (shoff < 0 || shoff > size) {
            return "section headers outside the file";
        }
        if (shnum == 0) {
            // Extended numbering: the real count sits in section 0's sh_size (gABI).
            byte[] first = new byte[shentsize];
            if (shoff + shentsize > size || readAt(shoff, first, shentsize) != shentsize) {
                return "truncated section header table";
            }
            shnum = is64 ? u64(first, 0x20) : u32(first, 0x14);
        }
        if (shnum <= 0 || shnum > MAX_SECTIONS) {
            return "bad section count " + shnum;
        }
        long tableSize = shnum * shentsize; // at most 2^16 * 2^16: no overflow
        if (tableSize > MAX_SECTION_TABLE) {
            return "section header table too large";
        }
        if (shoff + tableSize > size) {
            return "truncated section header table";
        }
        byte[] table = new byte[(int) tableSize];
        if (readAt(shoff, table, table.length) != table.length) {
            return "truncated section header table";
        }
        int dynsym = -1;
        int hash = -1;
        for (int index = 0; index < shnum; index++) {
            int type = (int) u32(table, index * shentsize + 4);
            if (type == SHT_DYNSYM && dynsym < 0) {
                dynsym = index;
            } else if (type == SHT_GNU_HASH && hash < 0) {
                hash = index;
                sectionGnuHashAt = section(table, index * shentsize).offset;
            } else if (type == SHT_HASH && sectionSysvHashAt < 0) {
                sectionSysvHashAt = section(table, index * shentsize).offset;
            }
        }
        if (dynsym < 0) {
            return null;
        }
        Section symtab = section(table, dynsym * shentsize);
        long link = symtab.link;
        if (link <= 0 || link >= shnum) {
            return "bad .dynsym string table link " + link;
        }
        if (u32(table, (int) link * shentsize + 4) != SHT_STRTAB) {
            return "bad .dynsym string table";
        }
        Section strtab = section(table, (int) link * shentsize);
        if (symtab.entsize != symSize) {
            return "bad .dynsym entry size " + symtab.entsize;
        }
        if (!symtab.within(size) || !strtab.within(size)) {
            return "symbol tables outside the file";
        }
        if (symtab.size > MAX_SYMTAB || strtab.size > MAX_STRTAB) {
            return "symbol tables too large";
        }
        sectionSymtab = symtab;
        sectionStrtab = strtab;
        sectionDynsym = dynsym;
        sectionHash = hash < 0 ? null : section(table, hash * shentsize);
        return null;
    }

    /** How the section headers disagree with PT_DYNAMIC (read); empty when they agree. */
    private String mismatch(String sectionProblem) {
        if (sectionProblem != null) {
            return sectionProblem.equals("no section headers")
                    ? "no section headers (stripped of them, as sstrip does)"
                    : "section headers unusable (" + sectionProblem + ")";
        }
        long symtabAt = (seen & SEEN_SYMTAB) == 0 ? -1 : mapped(symtabVa);
        long strtabAt = (seen & SEEN_STRTAB) == 0 ? -1 : mapped(strtabVa);
        long gnuHashAt = (seen & SEEN_GNU_HASH) == 0 ? -1 : mapped(gnuHashVa);
        long sysvHashAt = (seen & SEEN_HASH) == 0 ? -1 : mapped(hashVa);
        long sectionSym = sectionSymtab == null ? -1 : sectionSymtab.offset;
        String differs;
        if (symtabAt != sectionSym) {
            differs = ".dynsym at " + hex(sectionSym) + ", DT_SYMTAB at " + hex(symtabAt);
        } else if (sectionSym >= 0 && strtabAt != sectionStrtab.offset) {
            differs = ".dynstr at " + hex(sectionStrtab.offset) + ", DT_STRTAB at " + hex(strtabAt);
        } else if (sectionSym >= 0 && dynamicCount >= 0 && sectionSymtab.size / symSize != dynamicCount) {
            differs = ".dynsym holds " + sectionSymtab.size / symSize + " symbols, the hash table "
                    + dynamicCount;
        } else if (gnuHashAt != sectionGnuHashAt) {
            differs = ".gnu.hash at " + hex(sectionGnuHashAt) + ", DT_GNU_HASH at " + hex(gnuHashAt);
        } else if (sysvHashAt != sectionSysvHashAt) {
            differs = ".hash at " + hex(sectionSysvHashAt) + ", DT_HASH at " + hex(sysvHashAt);
        } else {
            return "";
        }
        return "section headers disagree with PT_DYNAMIC: " + differs;
    }

    /** Looks the wanted names up through the section headers' tables into {@code found}. */
    private void sectionSymbols(Set<String> found) throws IOException {
        Section hashtab = sectionHash;
        long count = sectionSymtab.size / symSize;
        if (useHash && hashtab != null && hashtab.link == sectionDynsym && hashtab.within(size)
                && hashtab.size >= 16 && hashtab.size <= MAX_HASH) {
            byte[] h = new byte[(int) hashtab.size];
            if (readAt(hashtab.offset, h, h.length) == h.length) {
                List<String> hit = lookUp(h, sectionSymtab, sectionStrtab, count);
                if (hit != null) {
                    found.addAll(hit);
                    return;
                }
            }
        }
        walk(sectionSymtab, sectionStrtab, sectionStrtab.size, false, found);
    }

    /**
     * Looks each wanted name up in a GNU hash table of {@code symbols} symbols as ld.so does
     * (dl-lookup.c: bloom word by mask, bucket by modulo, chain to its end bit); null when the
     * table is not usable.
     */
    private List<String> lookUp(byte[] h, Section symtab, Section strtab, long symbols) throws IOException {
        if (h.length < 16) {
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
        if (nbuckets == 0 || bloomSize == 0 || chainAt > h.length || symoffset > symbols) {
            return null;
        }
        long chainLength = Math.min((h.length - chainAt) / 4, symbols - symoffset);
        int probes = 0;
        Set<String> found = new TreeSet<>();
        for (int w = 0; w < wanted.length; w++) {
            long hv = wantedHash[w] & 0xffff_ffffL;
            int bloomAt = (int) (16 + ((hv / bits) & (bloomSize - 1)) * word);
            long bloom = is64 ? u64(h, bloomAt) : u32(h, bloomAt);
            // The hash is a 64-bit unsigned long in ld.so on 64-bit targets: Java's long shift
            // masks the count to 6 bits as x86-64 does.
            long second = is64 ? hv >>> bloomShift : (hv >>> (bloomShift & 31));
            if (((bloom >>> (hv % bits)) & (bloom >>> (second % bits)) & 1) == 0) {
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
                if ((chain | 1) == (hv | 1)) {
                    if (++probes > MAX_PROBES) {
                        return null;
                    }
                    if (defines(symtab, strtab, index, wanted[w])) {
                        found.add(new String(wanted[w], StandardCharsets.US_ASCII));
                        break;
                    }
                }
                if ((chain & 1) != 0) {
                    break;
                }
                index++;
            }
        }
        return new ArrayList<>(found);
    }

    /** Looks each wanted name up in a System V hash table (gABI "Hash Table"); null when unusable. */
    private List<String> lookUpSysv(byte[] h, Section symtab, Section strtab, long symbols) throws IOException {
        long nbucket = u32(h, 0);
        long nchain = u32(h, 4);
        int probes = 0;
        Set<String> found = new TreeSet<>();
        for (int w = 0; w < wanted.length; w++) {
            long index = u32(h, (int) (8 + (wantedSysvHash[w] % nbucket) * 4));
            while (index != 0) {
                if (index >= nchain || index >= symbols || ++probes > MAX_PROBES) {
                    return null; // off the table, a loop, or too long to be honest
                }
                if (defines(symtab, strtab, index, wanted[w])) {
                    found.add(new String(wanted[w], StandardCharsets.US_ASCII));
                    break;
                }
                index = u32(h, (int) (8 + (nbucket + index) * 4));
            }
        }
        return new ArrayList<>(found);
    }

    /** Whether symbol {@code index} is defined and named {@code name}. */
    private boolean defines(Section symtab, Section strtab, long index, byte[] name) throws IOException {
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

    /**
     * Walks every symbol into {@code found}: for objects without a usable hash table. The first
     * {@code preload} bytes of the string table are read at once; a name past them (ld.so does
     * not stop at DT_STRSZ) is read where it is. When the table's length is {@code guessed}, the
     * walk stops at the first entry that cannot be a symbol, so that what follows the table is
     * not read as symbols.
     */
    private void walk(Section symtab, Section strtab, long preload, boolean guessed, Set<String> found)
            throws IOException {
        byte[] names = new byte[(int) Math.min(preload, strtab.size)];
        if (readAt(strtab.offset, names, names.length) != names.length) {
            throw new IOException("truncated .dynstr");
        }
        byte[] far = null;
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
                if (guessed && !plausible(chunk, base, nameOffset, names.length)) {
                    return;
                }
                if (u16(chunk, base + (is64 ? 6 : 14)) == SHN_UNDEF) {
                    continue;
                }
                byte[] match;
                if (nameOffset < names.length) {
                    if (!firstByte[names[(int) nameOffset] & 0xff]) {
                        continue;
                    }
                    match = owner.matchAt(names, (int) nameOffset);
                } else if (nameOffset < strtab.size) {
                    far = far == null ? new byte[owner.longestWanted + 1] : far;
                    int got = readAt(strtab.offset + nameOffset, far, (int) Math.min(far.length, strtab.size - nameOffset));
                    match = owner.matchAt(far, 0, got);
                } else {
                    continue;
                }
                if (match != null) {
                    found.add(new String(match, StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /** A name inside the string table, a known type (up to STT_TLS, or GNU_IFUNC), a known binding. */
    private boolean plausible(byte[] chunk, int base, long nameOffset, int names) {
        int info = chunk[base + (is64 ? 4 : 12)] & 0xff;
        int type = info & 0xf;
        int bind = info >>> 4;
        return nameOffset < names && (type <= 6 || type == 10) && (bind <= 2 || bind == 10);
    }

    private Section section(byte[] table, int at) {
        return is64
                ? new Section(u64(table, at + 0x18), u64(table, at + 0x20), u32(table, at + 0x28), u64(table, at + 0x38))
                : new Section(u32(table, at + 0x10), u32(table, at + 0x14), u32(table, at + 0x18), u32(table, at + 0x24));
    }

    /** Reads up to {@code length} bytes at {@code position}; fewer only at the end of the file. */
    private int readAt(long position, byte[] into, int length) throws IOException {
        if (position < 0 || position >= size) {
            return 0;
        }
        int wanted = (int) Math.min(length, size - position);
        if (image != null) {
            System.arraycopy(image, (int) position, into, 0, wanted);
            return wanted;
        }
        if (position + wanted <= headLength) {
            System.arraycopy(head, (int) position, into, 0, wanted);
            return wanted;
        }
        return readFile(position, into, wanted);
    }

    private int readFile(long position, byte[] into, int length) throws IOException {
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

    private static String hex(long offset) {
        return offset < 0 ? "none" : "0x" + Long.toHexString(offset);
    }

    /** The fields of one section header (or of one table PT_DYNAMIC locates) that the reader uses. */
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
