package dev.profguard.elf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes minimal ELF shared objects for tests: header, .dynstr, .dynsym and three section headers
 * (null, .dynsym, .dynstr), in either class and byte order. Offsets are exposed so tests can
 * corrupt exactly one field.
 */
final class ElfImage {
    final boolean is64;
    final ByteOrder order;
    final List<String> defined = new ArrayList<>();
    final List<String> undefined = new ArrayList<>();

    boolean gnuHash;
    int dynstrOffset;
    int dynsymOffset;
    int hashOffset;
    int shoff;

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

    int headerSize() {
        return is64 ? 64 : 52;
    }

    int shentsize() {
        return is64 ? 64 : 40;
    }

    int symSize() {
        return is64 ? 24 : 16;
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
        int symbols = all.size() + 1;
        int symoffset = 1 + undefined.size();
        int word = is64 ? 8 : 4;
        int hashSize = 16 + word + 4 + 4 * defined.size();
        int sections = gnuHash ? 4 : 3;
        dynstrOffset = headerSize();
        dynsymOffset = align(dynstrOffset + strtab.length, 8);
        hashOffset = align(dynsymOffset + symbols * symSize(), 8);
        shoff = align(hashOffset + (gnuHash ? hashSize : 0), 8);
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
        } else {
            b.putShort(18, (short) 3);
            b.putInt(0x20, shoff);
            b.putShort(0x28, (short) 52);
            b.putShort(0x2e, (short) shentsize());
            b.putShort(0x30, (short) sections);
        }
        b.position(dynstrOffset);
        b.put(strtab);
        for (int i = 0; i < all.size(); i++) {
            int at = dynsymOffset + (i + 1) * symSize();
            b.putInt(at, nameOffsets.get(i));
            short shndx = (short) (i >= undefined.size() ? 7 : 0);
            if (is64) {
                b.put(at + 4, (byte) 0x12); // STB_GLOBAL, STT_FUNC
                b.putShort(at + 6, shndx);
            } else {
                b.put(at + 12, (byte) 0x12);
                b.putShort(at + 14, shndx);
            }
        }
        section(b, 1, 11, dynsymOffset, symbols * symSize(), 2, symSize());
        section(b, 2, 3, dynstrOffset, strtab.length, 0, 0);
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
            section(b, 3, 0x6ffffff6, hashOffset, hashSize, 1, 4);
        }
        return b.array();
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
