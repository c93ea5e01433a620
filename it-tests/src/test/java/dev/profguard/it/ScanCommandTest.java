package dev.profguard.it;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar profguard-agent.jar scan} over real files, directories, links and archives. */
class ScanCommandTest extends JvmTest {
    static final String STRONG = "profguard: found MTuner's client (rmem) (rule mtuner-client, strong): ";

    record Result(int status, String stdout, String stderr) {
    }

    static Result scan(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Jdk.all().findFirst().orElseThrow().java().toString(), "-jar",
                Jvm.AGENT.toString(), "scan"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "scan", ".out");
        Path err = Files.createTempFile(dir, "scan", ".err");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "scan did not end (did it open a FIFO?)");
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result scan(String... args) throws Exception {
        return scan(dir, args);
    }

    /** Runs a real tool (tar, gzip, mkfifo) in the test's directory. */
    static void tool(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }

    /** A zip holding the given entries (name, bytes, name, bytes, ...). */
    static byte[] zip(Object... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < entries.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) entries[i]));
                zip.write((byte[]) entries[i + 1]);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static byte[] client() throws IOException {
        return Files.readAllBytes(Jvm.fixture("libcompress-helper.so"));
    }

    static byte[] benign() throws IOException {
        return Files.readAllBytes(Jvm.fixture("libbenign.so"));
    }

    @Test
    void findsRenamedHiddenAndNestedClientsWithTheirPaths() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("release/lib"));
        Files.copy(Jvm.fixture("libhidden-helper.so"), tree.resolve("libz-fast.so"));
        byte[] client = Files.readAllBytes(Jvm.fixture("libmtuner_standin.so"));
        byte[] dependency = zip("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(), "native/linux-x86_64/libfast.so", client);
        Files.write(tree.resolve("app.jar"), zip("BOOT-INF/lib/dep.jar", dependency, "BOOT-INF/classes/App.class", new byte[10]));
        Result text = scan(dir.resolve("release").toString());
        assertEquals(1, text.status(), text.toString());
        assertTrue(text.stdout().contains(STRONG + tree.resolve("libz-fast.so") + " (carries mtuner_capture_, .MTuner"), text.stdout());
        assertTrue(text.stdout().contains(STRONG + tree.resolve("app.jar")
                + "!/BOOT-INF/lib/dep.jar!/native/linux-x86_64/libfast.so defines rmemInit, rmemShutDown"), text.stdout());
        assertTrue(text.stdout().endsWith("profguard: scanned 2 files and 4 archive members: 2 findings, 0 not inspected; "
                + "remove the client before this ships\n"), text.stdout());
        Result json = scan("--format", "json", dir.resolve("release").toString());
        assertEquals(1, json.status());
        assertTrue(json.stdout().startsWith("{\"version\":\"") && json.stdout().contains("\"status\":\"found\""), json.stdout());
        assertTrue(json.stdout().contains("\"path\":\"" + tree.resolve("app.jar") + "!/BOOT-INF/lib/dep.jar!/native/linux-x86_64/libfast.so\""));
    }

    /**
     * Multi-platform JNI jars hold one library per platform at the same depth. Each member is
     * judged on its own bytes: the client is found whether it comes after another library or
     * before it, as it is alone (the control).
     */
    @Test
    void everyMemberOfAMultiPlatformJarIsJudgedOnItsOwnBytes() throws Exception {
        Files.write(dir.resolve("benign-first.jar"), zip("native/linux-aarch64/libfast.so", benign(),
                "native/linux-x86_64/libfast.so", client()));
        Files.write(dir.resolve("client-first.jar"), zip("native/linux-x86_64/libfast.so", client(),
                "native/linux-aarch64/libfast.so", benign()));
        Files.write(dir.resolve("control.jar"), zip("native/linux-x86_64/libfast.so", client()));
        Files.write(dir.resolve("clean.jar"), zip("native/a/libfast.so", benign(), "native/b/libfast.so", benign()));
        for (String jar : List.of("benign-first.jar", "client-first.jar", "control.jar")) {
            Result result = scan(jar);
            assertEquals(1, result.status(), jar + ": " + result);
            assertTrue(result.stdout().startsWith(STRONG + jar + "!/native/linux-x86_64/libfast.so defines rmemInit"),
                    jar + ": " + result.stdout());
            assertFalse(result.stdout().contains("linux-aarch64"), result.stdout());
        }
        Result clean = scan("clean.jar", "benign-first.jar");
        assertEquals(1, clean.status(), clean.toString());
        assertTrue(clean.stdout().contains("scanned 2 files and 4 archive members: 1 finding"), clean.stdout());
        assertEquals(0, scan("clean.jar").status());
    }

    /**
     * Links given as arguments are followed; inside a tree they are followed and reported, each
     * directory read once, so a loop ends and is said.
     */
    @Test
    void symbolicLinksAreFollowedReportedAndCannotLoop() throws Exception {
        Path release = Files.createDirectories(dir.resolve("releases/7"));
        Files.write(release.resolve("libfoo.so.1"), client());
        Files.createSymbolicLink(release.resolve("libfoo.so"), Path.of("libfoo.so.1"));
        Files.createSymbolicLink(dir.resolve("current"), Path.of("releases/7"));
        Files.createSymbolicLink(release.resolve("again"), Path.of("."));

        Result control = scan("releases/7/libfoo.so.1");
        assertEquals(1, control.status(), control.toString());
        Result linkedFile = scan("releases/7/libfoo.so");
        assertEquals(1, linkedFile.status(), linkedFile.toString());
        assertTrue(linkedFile.stdout().startsWith(STRONG + "releases/7/libfoo.so defines rmemInit"), linkedFile.stdout());
        Result linkedDir = scan("current");
        assertEquals(1, linkedDir.status(), linkedDir.toString());
        assertTrue(linkedDir.stdout().contains(STRONG + "current/libfoo.so.1 defines rmemInit"), linkedDir.stdout());
        assertTrue(linkedDir.stdout().contains("profguard: symbolic link current/again -> . not followed: "
                + "a directory already scanned (a loop or a second name)"), linkedDir.stdout());
        Result json = scan("--format", "json", "current");
        assertTrue(json.stdout().contains("{\"path\":\"current\",\"target\":\"releases/7\",\"followed\":true"), json.stdout());
        assertTrue(json.stdout().contains("{\"path\":\"current/libfoo.so\",\"target\":\"libfoo.so.1\",\"followed\":true"),
                json.stdout());

        Files.createSymbolicLink(dir.resolve("nowhere"), Path.of("releases/8"));
        Result dangling = scan("nowhere");
        assertEquals(2, dangling.status(), dangling.toString());
        assertTrue(dangling.stdout().startsWith("profguard: cannot inspect nowhere: a symbolic link to releases/8, "
                + "which cannot be reached"), dangling.stdout());
    }

    @Test
    void tarAndGzippedTarArchivesAreRead() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("pkg/opt/app/lib"));
        Files.write(tree.resolve("libbenign.so"), benign());
        Files.write(tree.resolve("libfast.so"), client());
        Files.write(tree.resolve("deps.jar"), zip("native/libz.so", client()));
        tool(dir, "tar", "-cf", "plain.tar", "-C", "pkg", "opt");
        tool(dir, "tar", "-czf", "zipped.tar.gz", "-C", "pkg", "opt");
        tool(dir, "tar", "-czf", "zipped.tgz", "-C", "pkg", "opt");
        for (String archive : List.of("plain.tar", "zipped.tar.gz", "zipped.tgz")) {
            Result result = scan(archive);
            assertEquals(1, result.status(), archive + ": " + result);
            assertTrue(result.stdout().contains(STRONG + archive + "!/opt/app/lib/libfast.so defines rmemInit"),
                    archive + ": " + result.stdout());
            assertTrue(result.stdout().contains(STRONG + archive + "!/opt/app/lib/deps.jar!/native/libz.so defines rmemInit"),
                    archive + ": " + result.stdout());
            assertTrue(result.stdout().contains(": 2 findings, 0 not inspected"), result.stdout());
        }
        Files.delete(tree.resolve("libfast.so"));
        Files.delete(tree.resolve("deps.jar"));
        tool(dir, "tar", "-czf", "clean.tgz", "-C", "pkg", "opt");
        Result clean = scan("clean.tgz");
        assertEquals(0, clean.status(), clean.toString());
    }

    /** GNU long names and pax headers: a name past ustar's 100 bytes still names the member. */
    @Test
    void longNamesInGnuAndPaxTarsAreRead() throws Exception {
        String deep = "opt/" + "a-rather-long-directory-name/".repeat(6) + "libfast.so";
        Path file = dir.resolve("pkg").resolve(deep);
        Files.createDirectories(file.getParent());
        Files.write(file, client());
        tool(dir, "tar", "--format=gnu", "-cf", "gnu.tar", "-C", "pkg", "opt");
        tool(dir, "tar", "--format=pax", "-cf", "pax.tar", "-C", "pkg", "opt");
        for (String archive : List.of("gnu.tar", "pax.tar")) {
            Result result = scan(archive);
            assertEquals(1, result.status(), archive + ": " + result);
            assertTrue(result.stdout().startsWith(STRONG + archive + "!/" + deep + " defines rmemInit"), result.stdout());
        }
    }

    /** A jmod (what jlink builds runtime images from) is read: its native libraries ship with the image. */
    @Test
    void jmodsAreRead() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/p"));
        Files.writeString(src.resolve("A.java"), "package p; public class A {}");
        Files.writeString(dir.resolve("src/module-info.java"), "module m { exports p; }");
        Files.createDirectories(dir.resolve("lib"));
        Files.write(dir.resolve("lib/libfast.so"), client());
        Path bin = Jdk.all().findFirst().orElseThrow().home().resolve("bin");
        tool(dir, bin.resolve("javac").toString(), "-d", "classes", "src/p/A.java", "src/module-info.java");
        tool(dir, bin.resolve("jmod").toString(), "create", "--class-path", "classes", "--libs", "lib", "m.jmod");
        Result result = scan("m.jmod");
        assertEquals(1, result.status(), result.toString());
        assertTrue(result.stdout().startsWith(STRONG + "m.jmod!/lib/libfast.so defines rmemInit"), result.stdout());
    }

    /** What cannot be inspected is said, exits 2, and is never counted as scanned or clean. */
    @Test
    void aFifoADeviceAndAFakeJarAreNotInspectedNorClean() throws Exception {
        tool(dir, "mkfifo", "pipe.so");
        Result fifo = scan("pipe.so");
        assertEquals(2, fifo.status(), fifo.toString());
        assertEquals("profguard: cannot inspect pipe.so: a FIFO (named pipe): not a regular file, so it was not opened; "
                + "cannot be inspected\n", fifo.stdout().lines().findFirst().orElseThrow() + "\n");
        assertTrue(fifo.stdout().contains("scanned 0 files and 0 archive members: 0 findings, 1 not inspected"), fifo.stdout());

        Result device = scan("/dev/zero");
        assertEquals(2, device.status(), device.toString());
        assertTrue(device.stdout().startsWith("profguard: cannot inspect /dev/zero: a character device: not a regular file"),
                device.stdout());

        Files.writeString(dir.resolve("app.jar"), "not a zip at all");
        Result fake = scan("app.jar");
        assertEquals(2, fake.status(), fake.toString());
        assertTrue(fake.stdout().startsWith("profguard: cannot inspect app.jar: named like an archive (.jar) but its "
                + "content is not one"), fake.stdout());
        assertTrue(fake.stdout().contains("scanned 0 files and 0 archive members: 0 findings, 1 not inspected"), fake.stdout());
        Files.writeString(dir.resolve("layer.tar.gz"), "not gzip");
        assertEquals(2, scan("layer.tar.gz").status());

        // The same FIFO inside a directory: said, not opened.
        Files.createDirectories(dir.resolve("tree"));
        tool(dir, "mkfifo", "tree/pipe");
        Result tree = scan("tree");
        assertEquals(2, tree.status(), tree.toString());
        assertTrue(tree.stdout().startsWith("profguard: cannot inspect tree/pipe: a FIFO"), tree.stdout());
        // A control: the client beside what cannot be inspected is still found (exit 1 wins).
        Files.write(dir.resolve("tree/libfast.so"), client());
        Result both = scan("tree");
        assertEquals(1, both.status(), both.toString());
        assertTrue(both.stdout().contains("cannot inspect tree/pipe"), both.stdout());
    }

    @Test
    void aCleanJdkIsClean() throws Exception {
        Path jdk = Jdk.all().findFirst().orElseThrow().home();
        Result result = scan(jdk.toString());
        assertEquals(0, result.status(), result.toString());
        assertTrue(result.stdout().lines().reduce((a, b) -> b).orElseThrow()
                .matches("profguard: scanned \\d+ files and \\d+ archive members: 0 findings, 0 not inspected, \\d+ symbolic links"),
                result.stdout());
    }

    @Test
    void malformedArchivesZipBombsAndMissingPathsAreNotInspected() throws Exception {
        Path broken = Files.write(dir.resolve("broken.jar"), new byte[]{'P', 'K', 3, 4, 1, 2, 3, 4, 5, 6, 7});
        Result malformed = scan(broken.toString());
        assertEquals(2, malformed.status(), malformed.toString());
        assertTrue(malformed.stdout().startsWith("profguard: cannot inspect " + broken + ": not a readable archive: "),
                malformed.stdout());
        assertTrue(malformed.stdout().contains("scanned 0 files"), malformed.stdout());

        Path bomb = Files.write(dir.resolve("bomb.zip"), zip("libbomb.so", bombElf(64 << 20)));
        Result bombed = scan(bomb.toString());
        assertEquals(2, bombed.status(), bombed.toString());
        assertTrue(bombed.stdout().contains(bomb + "!/libbomb.so: inflates beyond the bounds"), bombed.stdout());

        Path truncated = dir.resolve("truncated.tar");
        Files.createDirectories(dir.resolve("t"));
        Files.write(dir.resolve("t/libfast.so"), client());
        tool(dir, "tar", "-cf", "whole.tar", "-C", "t", "libfast.so");
        byte[] whole = Files.readAllBytes(dir.resolve("whole.tar"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, 512 + 4000));
        Result cut = scan(truncated.toString());
        assertEquals(2, cut.status(), cut.toString());
        assertTrue(cut.stdout().contains("truncated tar member"), cut.stdout());

        Result missing = scan(dir.resolve("absent").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.stdout().contains("no such file or directory"), missing.stdout());
    }

    /**
     * A gzip'd tar whose one member inflates to 2 GiB of zeros from about 2 MB: stopped once it
     * passes 1 GiB at more than 200 times its compressed size. Built as concatenated gzip members
     * (one compressed MiB of zeros, repeated), which gunzip and the JDK both read as one stream.
     */
    @Test
    void aGzipBombIsStoppedNotFollowed() throws Exception {
        long size = 2L << 30;
        byte[] header = new byte[512];
        byte[] name = "libbomb.so".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, header, 0, name.length);
        put(header, 100, "0000644");
        put(header, 124, String.format("%011o", size));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        byte[] zeros = gzip(new byte[1 << 20]);
        Path bomb = dir.resolve("bomb.tar.gz");
        try (var out = Files.newOutputStream(bomb)) {
            out.write(gzip(header));
            for (long written = 0; written < size; written += 1 << 20) {
                out.write(zeros);
            }
        }
        Result result = scan("bomb.tar.gz");
        assertEquals(2, result.status(), result.toString());
        assertTrue(result.stdout().startsWith("profguard: cannot inspect bomb.tar.gz: inflates beyond the bounds"),
                result.stdout());
    }

    private static void put(byte[] block, int offset, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, block, offset, bytes.length);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** An ELF header and then zeros: the scan must take it out whole, and the bound stops it. */
    private static byte[] bombElf(int size) {
        byte[] bytes = new byte[size];
        bytes[0] = 0x7f;
        bytes[1] = 'E';
        bytes[2] = 'L';
        bytes[3] = 'F';
        return bytes;
    }

    @Test
    void entryNamesAreLabelsNeverPaths() throws Exception {
        byte[] client = client();
        Path tricky = Files.write(dir.resolve("tricky.zip"), zip("../../escaped-libx.so", client, "/abs/liby.so", client));
        Result result = scan(tricky.toString());
        assertEquals(1, result.status(), result.toString());
        assertTrue(result.stdout().contains(tricky + "!/../../escaped-libx.so defines rmemInit"), result.stdout());
        assertFalse(Files.exists(dir.getParent().resolve("escaped-libx.so")), "nothing written where the name points");
        assertFalse(Files.exists(Path.of("/abs/liby.so")));
    }

    @Test
    void badArgumentsExit2WithUsage() throws Exception {
        Result none = scan();
        assertEquals(2, none.status());
        assertTrue(none.stderr().startsWith("profguard: no PATH to scan\nusage: "), none.stderr());
        Result unknown = scan("--deep", "x");
        assertEquals(2, unknown.status());
        assertTrue(unknown.stderr().startsWith("profguard: unknown argument '--deep'"), unknown.stderr());
        Result format = scan("--format", "xml", "x");
        assertEquals(2, format.status());
        assertTrue(format.stderr().startsWith("profguard: --format is text, json or sarif, not 'xml'"), format.stderr());
    }
}
