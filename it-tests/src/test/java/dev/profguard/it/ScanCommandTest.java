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

/** {@code java -jar profguard-agent.jar scan} over real files, directories and archives. */
class ScanCommandTest extends JvmTest {
    record Result(int status, String stdout, String stderr) {
    }

    private Result scan(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Jdk.all().findFirst().orElseThrow().java().toString(), "-jar",
                Jvm.AGENT.toString(), "scan"));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "scan", ".out");
        Path err = Files.createTempFile(dir, "scan", ".err");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A zip holding the given entries (name, bytes, name, bytes, ...). */
    private static byte[] zip(Object... entries) throws IOException {
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

    @Test
    void findsRenamedHiddenAndNestedClientsWithTheirPaths() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("release/lib"));
        Files.copy(Jvm.fixture("libhidden-helper.so"), tree.resolve("libz-fast.so"));
        byte[] client = Files.readAllBytes(Jvm.fixture("libmtuner_standin.so"));
        byte[] dependency = zip("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(), "native/linux-x86_64/libfast.so", client);
        Files.write(tree.resolve("app.jar"), zip("BOOT-INF/lib/dep.jar", dependency, "BOOT-INF/classes/App.class", new byte[10]));
        Result text = scan(dir.resolve("release").toString());
        assertEquals(1, text.status(), text.toString());
        assertTrue(text.stdout().contains("profguard: found MTuner's client (rmem) (rule mtuner-client, strong): "
                + tree.resolve("libz-fast.so") + " (carries mtuner_capture_, .MTuner"), text.stdout());
        assertTrue(text.stdout().contains("(rule mtuner-client, strong): " + tree.resolve("app.jar")
                + "!/BOOT-INF/lib/dep.jar!/native/linux-x86_64/libfast.so defines rmemInit, rmemShutDown"), text.stdout());
        assertTrue(text.stdout().endsWith("profguard: scanned 2 files: 2 findings, 0 unreadable\n"), text.stdout());
        Result json = scan("--format", "json", dir.resolve("release").toString());
        assertEquals(1, json.status());
        assertTrue(json.stdout().startsWith("{\"version\":\"") && json.stdout().contains("\"status\":\"found\""), json.stdout());
        assertTrue(json.stdout().contains("\"path\":\"" + tree.resolve("app.jar") + "!/BOOT-INF/lib/dep.jar!/native/linux-x86_64/libfast.so\""));
    }

    @Test
    void aCleanJdkIsClean() throws Exception {
        Path jdk = Jdk.all().findFirst().orElseThrow().home();
        Result result = scan(jdk.toString());
        assertEquals(0, result.status(), result.toString());
        assertTrue(result.stdout().matches("profguard: scanned \\d+ files: 0 findings, 0 unreadable\\n"), result.stdout());
    }

    @Test
    void malformedArchivesZipBombsAndMissingPathsAreUnreadableNotFollowed() throws Exception {
        Path broken = Files.write(dir.resolve("broken.jar"), new byte[]{'P', 'K', 3, 4, 1, 2, 3, 4, 5, 6, 7});
        Result malformed = scan(broken.toString());
        assertEquals(2, malformed.status(), malformed.toString());
        assertTrue(malformed.stdout().startsWith("profguard: could not read " + broken + ": not a readable archive: "),
                malformed.stdout());

        Path bomb = Files.write(dir.resolve("bomb.zip"), zip("libbomb.so", new byte[64 << 20]));
        Result bombed = scan(bomb.toString());
        assertEquals(2, bombed.status(), bombed.toString());
        assertTrue(bombed.stdout().contains(bomb + "!/libbomb.so: inflates beyond the bounds"), bombed.stdout());

        Result missing = scan(dir.resolve("absent").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.stdout().contains("no such file or directory"), missing.stdout());
    }

    @Test
    void entryNamesAreLabelsNeverPaths() throws Exception {
        byte[] client = Files.readAllBytes(Jvm.fixture("libcompress-helper.so"));
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
    }
}
