package dev.profguard;

import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packs of classes as the Agent loader reads them, from a jar StartClasses writes; anything
 * malformed is no pack.
 */
class AgentTest {
    @TempDir
    Path dir;

    private static void entry(ByteArrayOutputStream out, String name, byte[] bytes, int declaredLength) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii.length >>> 8);
        out.write(ascii.length);
        out.writeBytes(ascii);
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(declaredLength >>> shift);
        }
        out.writeBytes(bytes);
    }

    @Test
    void indexesEachClassOfAPack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, "dev.profguard.A", new byte[]{1, 2, 3}, 3);
        entry(out, "dev.profguard.B$C", new byte[300], 300);
        byte[] pack = out.toByteArray();
        Map<String, int[]> index = Agent.index(pack);
        assertEquals(2, index.size());
        int[] a = index.get("dev.profguard.A");
        assertArrayEquals(new byte[]{1, 2, 3}, Arrays.copyOfRange(pack, a[0], a[0] + a[1]));
        assertArrayEquals(new int[]{2 + 15 + 4 + 3 + 2 + 17 + 4, 300}, index.get("dev.profguard.B$C"));
        assertEquals(Map.of(), Agent.index(new byte[0]));
    }

    @Test
    void aMalformedPackIsNone() {
        ByteArrayOutputStream tooLong = new ByteArrayOutputStream();
        entry(tooLong, "dev.profguard.A", new byte[]{1, 2, 3}, 4); // a length past the end
        assertNull(Agent.index(tooLong.toByteArray()));
        ByteArrayOutputStream negative = new ByteArrayOutputStream();
        entry(negative, "dev.profguard.A", new byte[]{1}, -1);
        assertNull(Agent.index(negative.toByteArray()));
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        entry(empty, "dev.profguard.A", new byte[0], 0);
        assertNull(Agent.index(empty.toByteArray()));
        ByteArrayOutputStream unnamed = new ByteArrayOutputStream();
        entry(unnamed, "", new byte[]{1}, 1);
        assertNull(Agent.index(unnamed.toByteArray()));
        byte[] good = goodPack();
        for (int cut = 1; cut < good.length; cut++) { // every truncation
            Map<String, int[]> index = Agent.index(Arrays.copyOf(good, cut));
            assertNull(index, "cut at " + cut);
        }
        assertNull(Agent.index(new byte[]{0})); // half a name length
    }

    private static byte[] goodPack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, "dev.profguard.A", new byte[]{1, 2, 3}, 3);
        return out.toByteArray();
    }

    /** A class file of the build's own, as the shaded jar holds it. */
    private static byte[] classFile(Class<?> type) throws IOException {
        try (var in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /**
     * A shaded jar (the entry class, two classes, a resource, the list naming one of the classes)
     * written into an agent jar by StartClasses: only the entry class stays an entry, and the
     * loader defines both classes from the packs, the listed one from either.
     */
    @Test
    void theAgentJarHoldsItsClassesInPacksAndTheLoaderDefinesThemFromThere() throws Exception {
        Path shaded = dir.resolve("shaded.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(shaded))) {
            put(out, "dev/", new byte[0]);
            put(out, "dev/profguard/Agent.class", classFile(Agent.class));
            put(out, "dev/profguard/util/Tokens.class", classFile(dev.profguard.util.Tokens.class));
            put(out, "dev/profguard/config/ConfigException.class", classFile(dev.profguard.config.ConfigException.class));
            put(out, StartClasses.LIST, "# comment\ndev.profguard.util.Tokens\n".getBytes(StandardCharsets.US_ASCII));
            put(out, "META-INF/LICENSE", "licence".getBytes(StandardCharsets.US_ASCII));
        }
        Path agentJar = dir.resolve("agent.jar");
        StartClasses.main(new String[]{shaded.toString(), agentJar.toString()});
        try (ZipFile jar = new ZipFile(agentJar.toFile())) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("dev/profguard/Agent.class", StartClasses.LIST, "META-INF/LICENSE", StartClasses.BLOB, StartClasses.ALL),
                    names, "no directory, no class file but the entry class");
            assertEquals(ZipEntry.STORED, jar.getEntry(StartClasses.ALL).getMethod(), "stored: a class is found by skipping to it");
            for (boolean withStartPack : new boolean[]{true, false}) {
                Agent loader = new Agent(agentJar.toFile(), jar, AgentTest.class.getClassLoader(), withStartPack);
                Class<?> tokens = loader.loadClass("dev.profguard.util.Tokens");
                assertSame(loader, tokens.getClassLoader());
                assertTrue(tokens != dev.profguard.util.Tokens.class);
                Class<?> exception = loader.loadClass("dev.profguard.config.ConfigException");
                assertSame(loader, exception.getClassLoader(), "a class only in the pack of all classes");
                assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.profguard.NotThere"));
            }
        }
    }

    /**
     * Classes of the runtime: java.* from the boot loader without asking the parents (the same
     * class they would give), a java.* class of the platform loader's and anything else through
     * them; a name nobody has is not found.
     */
    @Test
    void theRuntimesClassesComeFromTheBootLoaderOrThroughTheParents() throws Exception {
        Path jarPath = dir.resolve("empty.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jarPath))) {
            put(out, "META-INF/LICENSE", "licence".getBytes(StandardCharsets.US_ASCII));
        }
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        ClassLoader parent = new ClassLoader(AgentTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                asked.add(name);
                return super.loadClass(name, resolve);
            }
        };
        try (ZipFile jar = new ZipFile(jarPath.toFile())) {
            Agent loader = new Agent(jarPath.toFile(), jar, parent, false);
            assertSame(java.util.HashMap.class, loader.loadClass("java.util.HashMap"));
            assertSame(java.lang.instrument.Instrumentation.class, loader.loadClass("java.lang.instrument.Instrumentation"));
            assertSame(Agent.class, loader.loadClass(Agent.class.getName()), "the entry class: the parent's");
            assertEquals(List.of(), asked, "java.* of the boot loader and the entry class: the parents are not asked");
            Class<?> connection = loader.loadClass("java.sql.Connection");
            assertSame(ClassLoader.getPlatformClassLoader(), connection.getClassLoader());
            assertEquals(List.of("java.sql.Connection"), asked, "the platform loader's: through the parents");
            assertSame(Test.class, loader.loadClass(Test.class.getName()), "not the runtime's: through the parents");
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("java.util.NoSuchThing"));
            assertEquals(List.of("java.sql.Connection", Test.class.getName(), "java.util.NoSuchThing"), asked);
        }
    }

    /** A pack of all classes whose class data is damaged: the class is not defined from it (Adler-32 and length checked). */
    @Test
    void aDamagedClassInThePackOfAllClassesIsNotDefined() throws Exception {
        Path shaded = dir.resolve("shaded.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(shaded))) {
            put(out, "dev/profguard/Agent.class", classFile(Agent.class));
            put(out, "dev/profguard/util/Tokens.class", classFile(dev.profguard.util.Tokens.class));
            put(out, StartClasses.LIST, new byte[0]);
        }
        Path agentJar = dir.resolve("agent.jar");
        StartClasses.main(new String[]{shaded.toString(), agentJar.toString()});
        byte[] all;
        try (ZipFile jar = new ZipFile(agentJar.toFile())) {
            all = jar.getInputStream(jar.getEntry(StartClasses.ALL)).readAllBytes();
        }
        all[all.length - 1] ^= 0x01; // the last byte of the only class's zlib stream: its checksum
        Path damaged = dir.resolve("damaged.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(damaged))) {
            put(out, StartClasses.ALL, all);
        }
        try (ZipFile jar = new ZipFile(damaged.toFile())) {
            Agent loader = new Agent(damaged.toFile(), jar, AgentTest.class.getClassLoader(), true);
            ClassNotFoundException e = assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.profguard.util.Tokens"));
            assertTrue(e.getMessage().contains("could not be read"), e.getMessage());
        }
    }

    @Test
    void aMalformedIndexOfAllClassesIsNone() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allEntry(out, "dev.profguard.A", 0, 10, 20);
        allEntry(out, "dev.profguard.B", 10, 5, 7);
        byte[] good = out.toByteArray();
        Map<String, int[]> index = Agent.allIndex(good, 15);
        assertArrayEquals(new int[]{10, 5, 7}, index.get("dev.profguard.B"));
        assertNull(Agent.allIndex(good, 14), "data past the pack's end");
        for (int cut = 1; cut < good.length; cut++) {
            if (cut != 2 + 15 + 12) { // the end of the first entry: a good index of one
                assertNull(Agent.allIndex(Arrays.copyOf(good, cut), 15), "cut at " + cut);
            }
        }
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        allEntry(huge, "dev.profguard.A", 0, 10, 5 << 20);
        assertNull(Agent.allIndex(huge.toByteArray(), 10), "larger than a class may be");
        ByteArrayOutputStream negative = new ByteArrayOutputStream();
        allEntry(negative, "dev.profguard.A", -1, 10, 5);
        assertNull(Agent.allIndex(negative.toByteArray(), 100));
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        allEntry(empty, "dev.profguard.A", 0, 0, 5);
        assertNull(Agent.allIndex(empty.toByteArray(), 100));
    }

    private static void allEntry(ByteArrayOutputStream out, String name, int offset, int deflated, int length) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        out.write(ascii.length >>> 8);
        out.write(ascii.length);
        out.writeBytes(ascii);
        for (int value : new int[]{offset, deflated, length}) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(value >>> shift);
            }
        }
    }

    private static void put(ZipOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
