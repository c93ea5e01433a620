package dev.profguard.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes minimal ELF shared objects for tests: header, .dynstr, .dynsym and three section headers
 * (null, .dynsym, .dynstr), in either class and byte order; optionally .gnu.hash, and what the
 * dynamic linker reads: two PT_LOAD segments (at other virtual addresses than file offsets, the
 * second with a zero fill) and a PT_DYNAMIC naming the tables, with a System V hash table if asked
 * and section headers pointing at a decoy table if asked. Offsets are exposed so tests can corrupt
 * exactly one field.
 */
final class ElfImage {
    final boolean is64;
    final ByteOrder order;
    final List<String> defined = new ArrayList<>();
    final List<String> undefined = new ArrayList<>();

    boolean gnuHash;
    boolean dynamic;
    boolean sysvHash;
    boolean decoy;
    int dynstrOffset;
    int dynsymOffset;
    int hashOffset;
    int sysvHashOffset;
    int decoyStrOffset;
    int decoySymOffset;
    int dynamicOffset;
    int dynamicEntries;
    int shoff;

    /** Where the first segment is loaded; the second lies a further {@link #GAP} up. */
    static final long BASE = 0x40_0000;
    static final long GAP = 0x1_0000;
    /** The second segment's zero fill. */
    static final int BSS = 0x2000;
    static final int PT_LOAD = 1;
    static final int PT_DYNAMIC = 2;
    static final int DT_HASH = 4;
    static final int DT_STRTAB = 5;
    static final int DT_SYMTAB = 6;
    static final int DT_STRSZ = 10;
    static final int DT_SYMENT = 11;
    static final int DT_GNU_HASH = 0x6ffffef5;

    ElfImage(boolean is64, ByteOrder order) {
        this.is64 = is64;
        this.order = order;
    }

    static ElfImage elf64() {
        return new ElfImage(true, ByteOrder.LITTLE_ENDIAN);
    }

    ElfImage define(String... names) {
        defined.addAll(List.of(names));
        return this;
    }

    ElfImage importing(String... names) {
        undefined.addAll(List.of(names));
        return this;
    }

    /** Adds a .gnu.hash section (section 3) over the defined symbols, as GNU ld lays it out. */
    ElfImage hashed() {
        gnuHash = true;
        return this;
    }

    /** Adds two PT_LOAD segments, a PT_DYNAMIC and its .dynamic section (the last section). */
    ElfImage loadable() {
        dynamic = true;
        return this;
    }

    /** Adds a System V hash table (DT_HASH and a .hash section); implies {@link #loadable()}. */
    ElfImage sysvHashed() {
        sysvHash = true;
        return loadable();
    }

    /** Points the .dynsym and .dynstr section headers at a decoy table that defines other names. */
    ElfImage decoyed() {
        decoy = true;
        return loadable();
    }

    int headerSize() {
        return is64 ? 64 : 52;
    }

    int shentsize() {
        return is64 ? 64 : 40;
    }

    int symSize() {
        return is64 ? 24 : 16;
    }

    int phentsize() {
        return is64 ? 56 : 32;
    }

    int dynSize() {
        return is64 ? 16 : 8;
    }

    /** The virtual address ld.so sees for file offset {@code offset} (in the first segment). */
    long vaddr(int offset) {
        return offset < dynamicOffset || !dynamic ? BASE + offset : BASE + GAP + offset;
    }

    /** File offset of the d_tag of the dynamic entry with {@code tag}. */
    int dynamicEntry(int tag) {
        ByteBuffer b = ByteBuffer.wrap(bytes()).order(order);
        for (int i = 0; i < dynamicEntries; i++) {
            int at = dynamicOffset + i * dynSize();
            if ((is64 ? b.getLong(at) : b.getInt(at)) == tag) {
                return at;
            }
        }
        throw new IllegalArgumentException("no tag " + tag);
    }

    /** Offset of program header {@code index}'s field at {@code field64}/{@code field32}. */
    int programField(int index, int field64, int field32) {
        return headerSize() + index * phentsize() + (is64 ? field64 : field32);
    }

    /** Offset of section header {@code index}'s field at {@code field64}/{@code field32}. */
    int sectionField(int index, int field64, int field32) {
        return shoff + index * shentsize() + (is64 ? field64 : field32);
    }

    byte[] bytes() {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        strings.write(0);
        // GNU hash tables cover the defined symbols, which come last in .dynsym.
        List<String> all = new ArrayList<>(undefined);
        all.addAll(defined);
        List<Integer> nameOffsets = new ArrayList<>();
        for (String name : all) {
            nameOffsets.add(strings.size());
            strings.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            strings.write(0);
        }
        byte[] strtab = strings.toByteArray();
        byte[] decoyStrtab = "\0decoy_a\0decoy_b\0".getBytes(StandardCharsets.US_ASCII);
        int symbols = all.size() + 1;
        int symoffset = 1 + undefined.size();
        int word = is64 ? 8 : 4;
        int hashSize = 16 + word + 4 + 4 * defined.size();
        int nbucket = 3;
        int sysvSize = 8 + 4 * (nbucket + symbols);
        int sections = 3 + (gnuHash ? 1 : 0) + (sysvHash ? 1 : 0) + (dynamic ? 1 : 0);
        int programs = dynamic ? 3 : 0;
        dynamicEntries = 5 + (gnuHash ? 1 : 0) + (sysvHash ? 1 : 0);
        dynstrOffset = headerSize() + programs * phentsize();
        dynsymOffset = align(dynstrOffset + strtab.length, 8);
        hashOffset = align(dynsymOffset + symbols * symSize(), 8);
        sysvHashOffset = align(hashOffset + (gnuHash ? hashSize : 0), 8);
        decoyStrOffset = sysvHashOffset + (sysvHash ? sysvSize : 0);
        decoySymOffset = align(decoyStrOffset + (decoy ? decoyStrtab.length : 0), 8);
        dynamicOffset = align(decoySymOffset + (decoy ? 3 * symSize() : 0), 8);
        shoff = align(dynamicOffset + (dynamic ? dynamicEntries * dynSize() : 0), 8);
        int total = shoff + sections * shentsize();
        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.put(0, (byte) 0x7f).put(1, (byte) 'E').put(2, (byte) 'L').put(3, (byte) 'F');
        b.put(4, (byte) (is64 ? 2 : 1));
        b.put(5, (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2));
        b.put(6, (byte) 1);
        b.putShort(16, (short) 3); // ET_DYN
        if (is64) {
            b.putShort(18, (short) 62);
            b.putLong(0x28, shoff);
            b.putShort(0x34, (short) 64);
            b.putShort(0x3a, (short) shentsize());
            b.putShort(0x3c, (short) sections);
            if (dynamic) {
                b.putLong(0x20, headerSize());
                b.putShort(0x36, (short) phentsize());
                b.putShort(0x38, (short) programs);
            }
        } else {
            b.putShort(18, (short) 3);
            b.putInt(0x20, shoff);
            b.putShort(0x28, (short) 52);
            b.putShort(0x2e, (short) shentsize());
            b.putShort(0x30, (short) sections);
            if (dynamic) {
                b.putInt(0x1c, headerSize());
                b.putShort(0x2a, (short) phentsize());
                b.putShort(0x2c, (short) programs);
            }
        }
        b.position(dynstrOffset);
        b.put(strtab);
        for (int i = 0; i < all.size(); i++) {
            symbol(b, dynsymOffset + (i + 1) * symSize(), nameOffsets.get(i), i >= undefined.size());
        }
        int next = 3;
        if (decoy) {
            b.position(decoyStrOffset);
            b.put(decoyStrtab);
            symbol(b, decoySymOffset + symSize(), 1, true);
            symbol(b, decoySymOffset + 2 * symSize(), 9, true);
            section(b, 1, 11, decoySymOffset, 3 * symSize(), 2, symSize());
            section(b, 2, 3, decoyStrOffset, decoyStrtab.length, 0, 0);
        } else {
            section(b, 1, 11, dynsymOffset, symbols * symSize(), 2, symSize());
            section(b, 2, 3, dynstrOffset, strtab.length, 0, 0);
        }
        if (gnuHash) {
            // one bucket, one bloom word, shift 6
            int bits = word * 8;
            long bloom = 0;
            for (String name : defined) {
                long h = ElfSymbols.gnuHash(name.getBytes(StandardCharsets.US_ASCII)) & 0xffff_ffffL;
                bloom |= 1L << (h % bits) | 1L << ((h >>> 6) % bits);
            }
            b.putInt(hashOffset, 1).putInt(hashOffset + 4, symoffset).putInt(hashOffset + 8, 1).putInt(hashOffset + 12, 6);
            if (is64) {
                b.putLong(hashOffset + 16, bloom);
            } else {
                b.putInt(hashOffset + 16, (int) bloom);
            }
            b.putInt(hashOffset + 16 + word, defined.isEmpty() ? 0 : symoffset);
            for (int i = 0; i < defined.size(); i++) {
                int h = ElfSymbols.gnuHash(defined.get(i).getBytes(StandardCharsets.US_ASCII));
                int chain = i == defined.size() - 1 ? h | 1 : h & ~1;
                b.putInt(hashOffset + 16 + word + 4 + 4 * i, chain);
            }
            section(b, next++, 0x6ffffff6, hashOffset, hashSize, 1, 4);
        }
        if (sysvHash) {
            // nbucket, nchain, buckets, chains: each symbol pushed on its bucket's list (gABI)
            b.putInt(sysvHashOffset, nbucket).putInt(sysvHashOffset + 4, symbols);
            for (int i = 1; i < symbols; i++) {
                int bucket = (int) (ElfSymbols.sysvHash(all.get(i - 1).getBytes(StandardCharsets.US_ASCII)) % nbucket);
                int head = sysvHashOffset + 8 + 4 * bucket;
                b.putInt(sysvHashOffset + 8 + 4 * (nbucket + i), b.getInt(head));
                b.putInt(head, i);
            }
            section(b, next++, 5, sysvHashOffset, sysvSize, 1, 4);
        }
        if (dynamic) {
            int at = dynamicOffset;
            if (gnuHash) {
                at = dynamicTag(b, at, DT_GNU_HASH, vaddr(hashOffset));
            }
            if (sysvHash) {
                at = dynamicTag(b, at, DT_HASH, vaddr(sysvHashOffset));
            }
            at = dynamicTag(b, at, DT_STRTAB, vaddr(dynstrOffset));
            at = dynamicTag(b, at, DT_SYMTAB, vaddr(dynsymOffset));
            at = dynamicTag(b, at, DT_STRSZ, strtab.length);
            at = dynamicTag(b, at, DT_SYMENT, symSize());
            dynamicTag(b, at, 0, 0); // DT_NULL
            int dynamicSize = dynamicEntries * dynSize();
            section(b, next, 6, dynamicOffset, dynamicSize, 2, dynSize());
            program(b, 0, PT_LOAD, 0, BASE, dynamicOffset, dynamicOffset);
            program(b, 1, PT_LOAD, dynamicOffset, vaddr(dynamicOffset), dynamicSize, dynamicSize + BSS);
            program(b, 2, PT_DYNAMIC, dynamicOffset, vaddr(dynamicOffset), dynamicSize, dynamicSize);
        }
        return b.array();
    }

    private void symbol(ByteBuffer b, int at, int nameOffset, boolean isDefined) {
        b.putInt(at, nameOffset);
        short shndx = (short) (isDefined ? 7 : 0);
        if (is64) {
            b.put(at + 4, (byte) 0x12); // STB_GLOBAL, STT_FUNC
            b.putShort(at + 6, shndx);
        } else {
            b.put(at + 12, (byte) 0x12);
            b.putShort(at + 14, shndx);
        }
    }

    private int dynamicTag(ByteBuffer b, int at, long tag, long value) {
        if (is64) {
            b.putLong(at, tag).putLong(at + 8, value);
        } else {
            b.putInt(at, (int) tag).putInt(at + 4, (int) value);
        }
        return at + dynSize();
    }

    private void program(ByteBuffer b, int index, int type, long offset, long vaddr, long filesz, long memsz) {
        int at = headerSize() + index * phentsize();
        b.putInt(at, type);
        if (is64) {
            b.putInt(at + 4, 4); // PF_R
            b.putLong(at + 8, offset).putLong(at + 16, vaddr).putLong(at + 24, vaddr);
            b.putLong(at + 32, filesz).putLong(at + 40, memsz).putLong(at + 48, type == PT_LOAD ? 0x1000 : 8);
        } else {
            b.putInt(at + 4, (int) offset).putInt(at + 8, (int) vaddr).putInt(at + 12, (int) vaddr);
            b.putInt(at + 16, (int) filesz).putInt(at + 20, (int) memsz).putInt(at + 24, 4);
            b.putInt(at + 28, type == PT_LOAD ? 0x1000 : 4);
        }
    }

    /** Offset of the first chain word in .gnu.hash. */
    int chainOffset() {
        return hashOffset + 16 + (is64 ? 8 : 4) + 4;
    }

    private void section(ByteBuffer b, int index, int type, long offset, long size, int link, int entsize) {
        int at = shoff + index * shentsize();
        b.putInt(at + 4, type);
        if (is64) {
            b.putLong(at + 0x18, offset);
            b.putLong(at + 0x20, size);
            b.putInt(at + 0x28, link);
            b.putLong(at + 0x38, entsize);
        } else {
            b.putInt(at + 0x10, (int) offset);
            b.putInt(at + 0x14, (int) size);
            b.putInt(at + 0x18, link);
            b.putInt(at + 0x24, entsize);
        }
    }

    private static int align(int value, int to) {
        return (value + to - 1) / to * to;
    }
}
