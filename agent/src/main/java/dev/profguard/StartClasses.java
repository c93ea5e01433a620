package dev.profguard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step, after the jar is shaded: packs the classes a clean start loads before main (the
 * resource {@value #LIST}, one binary name a line) into one resource of the same jar,
 * {@value #BLOB}, which {@link Agent} (as a class loader) reads with one read and defines from. Each entry:
 * the name's length (u2), the name (ASCII), the class file's length (u4), the class file, taken
 * from the shaded jar itself, so byte for byte the class the jar holds; stored uncompressed, as are
 * the probe library and its start rules ({@link #STORED}), which a clean start also reads whole.
 * Never loaded at run time.
 */
public final class StartClasses {
    /** The list, in the jar too (StartupCostTest checks it against what a clean start loads). */
    public static final String LIST = "META-INF/profguard/start-classes";
    /** The packed classes. */
    public static final String BLOB = "META-INF/profguard/start-classes.bin";
    /** Entries a clean start reads whole, stored uncompressed as the pack is: the probe library and its rules. */
    static final List<String> STORED = List.of("META-INF/native/linux-x86_64/libprofguard_probe.so", "META-INF/native/start-rules");

    private StartClasses() {
    }

    /** The binary names of a list: one a line, blank lines and # comments left out. */
    static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String line : list.split("\n")) {
            String name = line.strip();
            if (!name.isEmpty() && !name.startsWith("#")) {
                names.add(name);
            }
        }
        return names;
    }

    /** The packed classes of {@code jar}; fails on a class the list names and the jar does not hold. */
    static byte[] pack(List<String> names, ZipFile jar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            ZipEntry entry = jar.getEntry(name.replace('.', '/') + ".class");
            if (entry == null) {
                throw new IOException(LIST + " names " + name + ", which the jar does not hold");
            }
            byte[] bytes;
            try (InputStream in = jar.getInputStream(entry)) {
                bytes = in.readAllBytes();
            }
            byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
            out.write(ascii.length >>> 8);
            out.write(ascii.length);
            out.write(ascii);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(bytes.length >>> shift);
            }
            out.write(bytes);
        }
        return out.toByteArray();
    }

    /**
     * Adds {@value #BLOB} to the jar given as the one argument (written anew beside it, then
     * moved over it): every entry as it was, in its order, with its time, then the pack with the
     * list's time, so that the jar stays reproducible.
     */
    public static void main(String[] args) throws IOException {
        Path jarPath = Path.of(args[0]);
        Path next = jarPath.resolveSibling(jarPath.getFileName() + ".packing");
        try (ZipFile jar = new ZipFile(jarPath.toFile());
             OutputStream file = Files.newOutputStream(next);
             ZipOutputStream out = new ZipOutputStream(file)) {
            ZipEntry list = jar.getEntry(LIST);
            if (list == null) {
                throw new IOException(jarPath + " has no " + LIST);
            }
            byte[] pack;
            try (InputStream in = jar.getInputStream(list)) {
                pack = pack(names(new String(in.readAllBytes(), StandardCharsets.UTF_8)), jar);
            }
            for (ZipEntry entry : Collections.list(jar.entries())) {
                if (entry.getName().equals(BLOB)) {
                    continue; // a jar packed before: packed anew
                }
                ZipEntry copy = new ZipEntry(entry);
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (STORED.contains(entry.getName())) {
                    stored(copy, bytes);
                } else {
                    copy.setCompressedSize(-1); // compressed anew
                }
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
            ZipEntry blob = new ZipEntry(BLOB);
            blob.setTime(list.getTime());
            stored(blob, pack); // the agent's class loader (dev.profguard.Agent) reads it straight into its array, nothing to inflate
            out.putNextEntry(blob);
            out.write(pack);
            out.closeEntry();
        }
        Files.move(next, jarPath, StandardCopyOption.REPLACE_EXISTING);
    }

    /** An entry to write uncompressed: its size and CRC-32 given before its bytes, as a stored entry needs. */
    private static void stored(ZipEntry entry, byte[] bytes) {
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
    }
}
