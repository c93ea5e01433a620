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
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step, after the jar is shaded: writes the agent jar from the shaded jar (its classes as
 * entries, the project's Maven artifact) with the agent's classes in two resources instead of one
 * entry each. The JVM's application class loader opens every {@code -javaagent} jar and reads its
 * whole central directory, interpreted, before premain: 2.7 ms (JDK 17) and 3.9 ms (JDK 25) for
 * the shaded jar's 1,067 entries, measured against a jar of three. The agent jar keeps about 25:
 * the manifest, the licences, the probe and its rules, {@code dev/profguard/Agent.class} (the
 * entry point the JVM loads) and:
 * <ul>
 * <li>{@value #BLOB}: the classes a clean start loads before main (the resource {@value #LIST},
 *     one binary name a line), which {@link Agent} (as a class loader) reads with one read and
 *     defines from. Each entry: the name's length (u2), the name (ASCII), the class file's length
 *     (u4), the class file. Stored uncompressed, as are the probe library and its start rules
 *     ({@link #STORED}), which a clean start also reads whole.</li>
 * <li>{@value #ALL}: every class of the shaded jar but Agent, each compressed on its own, read
 *     one by one when a class is needed that the first pack does not hold (a finding, a feature,
 *     the command line). An index first: its length (u4), then for each class the name's length
 *     (u2), the name, where its data starts after the index (u4), the data's length (u4) and the
 *     class file's length (u4); then the data, each a zlib stream (its Adler-32 checked when
 *     inflated). Stored, so that a class is found by skipping to it.</li>
 * </ul>
 * Both are taken from the shaded jar itself, so byte for byte the classes it holds. Never loaded at
 * run time.
 */
public final class StartClasses {
    /** The list, in the jar too (StartupCostTest checks it against what a clean start loads). */
    public static final String LIST = "META-INF/profguard/start-classes";
    /** The packed start classes. */
    public static final String BLOB = "META-INF/profguard/start-classes.bin";
    /** Every class, each compressed on its own. */
    public static final String ALL = "META-INF/profguard/classes.bin";
    /** The class the JVM loads from the jar by name: the only class file left an entry. */
    static final String ENTRY_CLASS = "dev/profguard/Agent.class";
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
            writeName(out, name);
            writeU4(out, bytes.length);
            out.write(bytes);
        }
        return out.toByteArray();
    }

    /** Every class file of {@code jar} but the entry class, in the jar's order, each compressed on its own. */
    static byte[] packAll(ZipFile jar) throws IOException {
        ByteArrayOutputStream index = new ByteArrayOutputStream();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (ZipEntry entry : Collections.list(jar.entries())) {
            String path = entry.getName();
            if (!isPackedClass(path)) {
                continue;
            }
            byte[] bytes;
            try (InputStream in = jar.getInputStream(entry)) {
                bytes = in.readAllBytes();
            }
            byte[] deflated = deflate(bytes);
            writeName(index, path.substring(0, path.length() - ".class".length()).replace('/', '.'));
            writeU4(index, data.size());
            writeU4(index, deflated.length);
            writeU4(index, bytes.length);
            data.write(deflated);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU4(out, index.size());
        index.writeTo(out);
        data.writeTo(out);
        return out.toByteArray();
    }

    /** A class file that goes into {@value #ALL} rather than staying an entry of the agent jar. */
    static boolean isPackedClass(String path) {
        return path.endsWith(".class") && !path.equals(ENTRY_CLASS);
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii.length >>> 8);
        out.write(ascii.length);
        out.write(ascii, 0, ascii.length);
    }

    private static void writeU4(ByteArrayOutputStream out, int value) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(value >>> shift);
        }
    }

    /**
     * Writes the agent jar (the second argument; written anew beside it, then moved over it) from
     * the shaded jar (the first): every entry that is neither a directory nor a packed class, as
     * it was, in its order, with its time, then the two packs with the list's time, so that the jar
     * stays reproducible.
     */
    public static void main(String[] args) throws IOException {
        Path shaded = Path.of(args[0]);
        Path agentJar = Path.of(args[1]);
        Path next = agentJar.resolveSibling(agentJar.getFileName() + ".packing");
        try (ZipFile jar = new ZipFile(shaded.toFile());
             OutputStream file = Files.newOutputStream(next);
             ZipOutputStream out = new ZipOutputStream(file)) {
            ZipEntry list = jar.getEntry(LIST);
            if (list == null) {
                throw new IOException(shaded + " has no " + LIST);
            }
            if (jar.getEntry(ENTRY_CLASS) == null) {
                throw new IOException(shaded + " has no " + ENTRY_CLASS);
            }
            byte[] pack;
            try (InputStream in = jar.getInputStream(list)) {
                pack = pack(names(new String(in.readAllBytes(), StandardCharsets.UTF_8)), jar);
            }
            byte[] all = packAll(jar);
            for (ZipEntry entry : Collections.list(jar.entries())) {
                String name = entry.getName();
                if (entry.isDirectory() || isPackedClass(name) || name.equals(BLOB) || name.equals(ALL)) {
                    continue; // each directory entry costs the JVM's reading too; the packs are written anew
                }
                ZipEntry copy = new ZipEntry(entry);
                byte[] bytes;
                try (InputStream in = jar.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                if (STORED.contains(name)) {
                    stored(copy, bytes);
                } else {
                    copy.setCompressedSize(-1); // compressed anew
                }
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
            // the agent's class loader (dev.profguard.Agent) reads the first straight into its array
            // and skips to a class in the second: nothing to inflate but the class it needs
            writeStored(out, BLOB, list.getTime(), pack);
            writeStored(out, ALL, list.getTime(), all);
        }
        Files.move(next, agentJar, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeStored(ZipOutputStream out, String name, long time, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTime(time);
        stored(entry, bytes);
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
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
