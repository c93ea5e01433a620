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

    int dynstrOffset;
    int dynsymOffset;
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
        List<Integer> nameOffsets = new ArrayList<>();
        List<String> all = new ArrayList<>(defined);
        all.addAll(undefined);
        for (String name : all) {
            nameOffsets.add(strings.size());
            strings.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            strings.write(0);
        }
        byte[] strtab = strings.toByteArray();
        int symbols = all.size() + 1;
        dynstrOffset = headerSize();
        dynsymOffset = align(dynstrOffset + strtab.length, 8);
        shoff = align(dynsymOffset + symbols * symSize(), 8);
        int total = shoff + 3 * shentsize();
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
            b.putShort(0x3c, (short) 3);
        } else {
            b.putShort(18, (short) 3);
            b.putInt(0x20, shoff);
            b.putShort(0x28, (short) 52);
            b.putShort(0x2e, (short) shentsize());
            b.putShort(0x30, (short) 3);
        }
        b.position(dynstrOffset);
        b.put(strtab);
        for (int i = 0; i < all.size(); i++) {
            int at = dynsymOffset + (i + 1) * symSize();
            b.putInt(at, nameOffsets.get(i));
            short shndx = (short) (i < defined.size() ? 7 : 0);
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
        return b.array();
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
