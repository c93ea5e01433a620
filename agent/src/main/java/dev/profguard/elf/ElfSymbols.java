package dev.profguard.elf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;

/**
 * Finds which of a set of wanted names an ELF shared object defines in its dynamic symbol table,
 * read the way the dynamic linker reads it.
 *
 * <p>ld.so never reads section headers: it maps the PT_LOAD segments and follows PT_DYNAMIC's
 * DT_SYMTAB, DT_STRTAB and DT_GNU_HASH (or DT_HASH) through virtual addresses (glibc's
 * elf/dl-load.c, get-dynamic-info.h, dl-lookup.c). So does this reader; an altered, decoy or
 * missing section header table (sstrip) cannot hide what gets bound. Section headers are read too:
 * as the fallback when there is no usable PT_DYNAMIC, and to tell the caller when they disagree
 * with it ({@link ElfResult#mismatch()}); then the names both tables define are reported, so the
 * stronger evidence wins. Layouts from the System V gABI ("Object Files", "Program Loading",
 * "Dynamic Linking").
 *
 * <p>Every offset, size and count read from the file is checked against the file's size, the
 * segment it lies in and fixed limits before it is used, so a truncated, corrupt or hostile file
 * costs at most a few bounded reads and yields {@link ElfResult.Status#UNREADABLE}.
 *
 * <p>It runs before {@code main} on every loaded library, mostly interpreted, so it does little
 * ({@link ElfReader} does the reading):
 * one read of the file's first 4 KiB (header, program headers and, in most libraries, the GNU hash
 * table), one of the dynamic section, one of the section header table; each wanted name is then
 * looked up through the hash table (its bloom filter rejects most names without touching the
 * symbol table). Without a usable hash table it walks the symbol table in chunks.
 */
public final class ElfSymbols {
    // Read by ElfReader, which does the reading for one file.
    final byte[][] wanted;
    final int[] wantedHash;
    final long[] wantedSysvHash;
    final int longestWanted;
    final boolean[] firstByte = new boolean[256];
    final boolean useHash;

    /** @param names the symbol names to look for, e.g. MTuner's client API */
    public ElfSymbols(Collection<String> names) {
        this(names, true);
    }

    /** @param useHash false to always walk the whole table (tests compare both ways) */
    ElfSymbols(Collection<String> names, boolean useHash) {
        this.useHash = useHash;
        this.wanted = new byte[names.size()][];
        this.wantedHash = new int[names.size()];
        this.wantedSysvHash = new long[names.size()];
        int i = 0;
        int longest = 0;
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length == 0) {
                throw new IllegalArgumentException("empty symbol name");
            }
            wanted[i] = bytes;
            wantedHash[i] = gnuHash(bytes);
            wantedSysvHash[i] = sysvHash(bytes);
            firstByte[bytes[0] & 0xff] = true;
            longest = Math.max(longest, bytes.length);
            i++;
        }
        this.longestWanted = longest;
    }

    /** The GNU hash function (dl_new_hash): h = h * 33 + c from 5381, on 32 bits. */
    static int gnuHash(byte[] name) {
        int h = 5381;
        for (byte b : name) {
            h = h * 33 + (b & 0xff);
        }
        return h;
    }

    /** The System V hash function (gABI "Hash Table", glibc's _dl_elf_hash). */
    static long sysvHash(byte[] name) {
        long h = 0;
        for (byte b : name) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf000_0000L;
            h ^= g >>> 24;
            h &= ~g;
        }
        return h & 0xffff_ffffL;
    }

    /**
     * Reads {@code file}; never throws for anything the file contains, never opens anything but a
     * regular file: a FIFO, device, socket or directory is {@link ElfResult.Status#UNREADABLE}.
     *
     * <p>The file is stat'ed (following links, as open does) just before it is opened, and the
     * opened file's size (fstat) must equal the stat's: a file swapped for a FIFO or a device in
     * between shows size 0 or another size and is not read at all. What Java cannot close is the
     * open itself: it has no O_NONBLOCK, so a swap to a FIFO inside that window of a few
     * microseconds blocks {@code open(2)} until a writer appears; the dynamic linker opens
     * libraries the same way (O_RDONLY, glibc's open_verify), so whoever can make that swap can
     * hang the load itself.
     */
    public ElfResult read(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            // instanceof, not a catch clause of its own: the verifier would load the class at start-up
            return ElfResult.unreadable(e instanceof NoSuchFileException ? "no such file" : cannotRead(e));
        }
        if (!attributes.isRegularFile()) {
            return ElfResult.unreadable("not a regular file (" + kind(file, attributes) + ")");
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long size = in.length(); // fstat of what was opened
            if (size != attributes.size()) {
                return ElfResult.unreadable("not a regular file (changed while being opened)");
            }
            return new ElfReader(this, in, null, size).read();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return ElfResult.unreadable(cannotRead(e));
        }
    }

    /** Reads an image held in memory (an archive entry, a test's bytes); never throws for its content. */
    public ElfResult read(byte[] image) {
        try {
            return new ElfReader(this, null, image, image.length).read();
        } catch (IOException e) {
            return ElfResult.unreadable(cannotRead(e));
        }
    }

    private static String cannotRead(Exception e) {
        return "cannot read: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }

    /** "directory", "fifo", "character device", ...: what the file is instead of a regular file. */
    private static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "directory";
        }
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            switch (mode & 0xf000) { // S_IFMT (sys/stat.h)
                case 0x1000:
                    return "fifo";
                case 0x2000:
                    return "character device";
                case 0x6000:
                    return "block device";
                case 0xc000:
                    return "socket";
                default:
                    return "type " + Integer.toOctalString(mode & 0xf000);
            }
        } catch (IOException | RuntimeException e) {
            return "special file";
        }
    }

    /** The wanted name stored NUL-terminated at {@code offset}, or null. */
    byte[] matchAt(byte[] names, int offset) {
        return matchAt(names, offset, names.length);
    }

    /** The wanted name stored NUL-terminated at {@code offset} in the first {@code length} bytes, or null. */
    byte[] matchAt(byte[] names, int offset, int length) {
        outer:
        for (byte[] name : wanted) {
            int end = offset + name.length;
            if (end >= length || names[end] != 0) {
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
}
