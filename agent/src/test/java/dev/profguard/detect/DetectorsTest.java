package dev.profguard.detect;

import dev.profguard.rules.RuleSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The detectors over hand-made procfs trees whose mapped objects are real ELF files written here
 * (the gcc-built stand-in is exercised in it-tests with real JVMs).
 */
class DetectorsTest {
    @TempDir
    Path dir;
    private ProcTree proc;
    private Path client;
    private Path innocent;
    private final RuleSet rules = new RuleSet(dev.profguard.rules.RuleSetAccess.builtin());

    @BeforeEach
    void setUp() throws IOException {
        proc = new ProcTree(dir.resolve("proc/4242"));
        client = Files.write(dir.resolve("libcompress-helper.so"),
                TinyElf.defining("rmemInit", "rmemShutDown", "rmemAlloc", "deflate"));
        innocent = Files.write(dir.resolve("libz.so.1"), TinyElf.defining("deflate", "inflate", "rmemFree"));
    }

    private List<Finding> scan() {
        return new Scanner(rules, null).scan(proc.view());
    }

    @Test
    void cleanProcessHasNoFindings() throws IOException {
        proc.maps(innocent.toString(), "/proc/version");
        assertEquals(List.of(), scan(), "one client symbol alone is below symbols.min");
    }

    @Test
    void renamedClientMappedIsStrongBySymbols() throws IOException {
        proc.maps(innocent.toString(), client.toString());
        List<Finding> findings = scan();
        assertEquals(1, findings.size(), findings.toString());
        Finding f = findings.get(0);
        assertEquals(Strength.STRONG, f.strength());
        assertEquals(Source.MAPPED_OBJECT, f.source());
        assertEquals(client.toString(), f.path());
        assertEquals(List.of("rmemInit", "rmemShutDown", "rmemAlloc"), f.symbols(), "rule order");
        assertTrue(f.detail().contains("code mapped in process 4242"), f.detail());
    }

    @Test
    void dataMappingsAreCheckedByNameOnly() throws IOException {
        Path named = Files.copy(client, dir.resolve("libmtuner.so"));
        proc.mapsWith("r--p", client.toString(), named.toString());
        List<Finding> findings = scan();
        assertEquals(1, findings.size(), "a client mapped as data is not loaded code: " + findings);
        assertEquals(Strength.WEAK, findings.get(0).strength());
        assertEquals(named.toString(), findings.get(0).path());
    }

    @Test
    void preloadNamingAnExistingClientIsStrongAndAMissingOneWeak() throws IOException {
        proc.environ(Map.of("LD_PRELOAD", innocent + ":" + client + " /gone/libmtuner.so", "HOME", "/root"));
        List<Finding> findings = scan();
        assertEquals(2, findings.size(), findings.toString());
        assertEquals(Strength.STRONG, findings.get(0).strength());
        assertEquals("LD_PRELOAD=" + client + " defines rmemInit, rmemShutDown, rmemAlloc (preloaded)",
                findings.get(0).evidence());
        assertEquals(Strength.WEAK, findings.get(1).strength());
        assertEquals("LD_PRELOAD=/gone/libmtuner.so (name matches; file does not exist)", findings.get(1).evidence());
    }

    @Test
    void auditLibrariesClientVariableAndAgentOptionsAreSeen() throws IOException {
        proc.environ(Map.of("LD_AUDIT", client.toString(), "MTuner_Allocator", "3",
                "JAVA_TOOL_OPTIONS", "-Xmx1g '-agentpath:" + client + "=x,y' -Dsecret=hunter2"));
        List<Finding> findings = scan();
        assertEquals(3, findings.size(), findings.toString());
        assertEquals(Source.LD_AUDIT, findings.get(0).source());
        assertEquals(Strength.STRONG, findings.get(0).strength());
        assertEquals(Source.VARIABLE, findings.get(1).source());
        assertEquals(Strength.WEAK, findings.get(1).strength());
        assertEquals("MTuner_Allocator (is set; the client reads it)", findings.get(1).evidence(),
                "the value of a variable is not evidence and is not shown");
        Finding option = findings.get(2);
        assertEquals(Source.OPTIONS_VARIABLE, option.source());
        assertEquals(Strength.STRONG, option.strength());
        assertTrue(option.evidence().contains("in JAVA_TOOL_OPTIONS: -agentpath:" + client + "=x,y"), option.evidence());
        assertTrue(findings.stream().noneMatch(f -> f.evidence().contains("hunter2")), "other options are never shown");
    }

    @Test
    void commandLineAgentsIncludingArgumentFilesAreSeen() throws IOException {
        // A relative @argfile resolves against the process's working directory (procfs: cwd).
        Path workDir = Files.createDirectories(dir.resolve("app"));
        Files.createSymbolicLink(proc.dir.resolve("cwd"), workDir);
        Files.writeString(workDir.resolve("jvm.args"), "-Xss1m\n\"-agentpath:" + client + "\"\n");
        proc.cmdline(List.of("java", "-agentlib:mtuner", "@jvm.args", "-javaagent:/opt/MTuner.jar", "Main"));
        List<Finding> findings = scan();
        assertEquals(3, findings.size(), findings.toString());
        assertTrue(findings.stream().allMatch(f -> f.source() == Source.JVM_ARGUMENT));
        assertTrue(findings.stream().anyMatch(f -> client.toString().equals(f.path()) && f.strength() == Strength.STRONG),
                "argfile's -agentpath is read");
        assertTrue(findings.stream().anyMatch(f -> "libmtuner.so".equals(f.path()) && f.strength() == Strength.WEAK));
        assertTrue(findings.stream().anyMatch(f -> "/opt/MTuner.jar".equals(f.path()) && f.strength() == Strength.WEAK));
    }

    @Test
    void openCaptureFileIsStrong() throws IOException {
        Path capture = Files.writeString(dir.resolve("mtuner_capture_1795421136.MTuner"), "x");
        proc.openFile(dir.resolve("notes.txt")).openFile(capture);
        List<Finding> findings = scan();
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(Source.OPEN_FILE, findings.get(0).source());
        assertEquals(Strength.STRONG, findings.get(0).strength());
        assertEquals(capture.toString(), findings.get(0).path());
    }

    @Test
    void unreadableProcIsUnknownForEveryDetectorNotAnException() {
        // A missing directory stands for any unreadable /proc; it-tests also run a JVM without /proc.
        ProcFs missing = new ProcFs(dir.resolve("proc/no-such-pid"), "process 1", null);
        List<Finding> findings = new Scanner(rules, null).scan(missing);
        assertEquals(4, findings.size(), findings.toString());
        assertTrue(findings.stream().allMatch(f -> f.strength() == Strength.UNKNOWN));
        assertTrue(findings.stream().anyMatch(f -> f.detail().startsWith("could not read " + dir.resolve("proc/no-such-pid/maps"))));
        assertTrue(findings.stream().anyMatch(f -> f.detail().startsWith("could not list ")));
    }

    @Test
    void deletedMappedCodeIsReadThroughMapFilesOrReportedUnknown() throws IOException {
        Path gone = dir.resolve("libgone.so");
        proc.maps(gone + " (deleted)");
        List<Finding> unknown = scan();
        assertEquals(1, unknown.size());
        assertEquals(Strength.UNKNOWN, unknown.get(0).strength());
        Path mapFiles = Files.createDirectories(proc.dir.resolve("map_files"));
        Files.copy(client, mapFiles.resolve("7f0000000000-7f0000001000"));
        List<Finding> found = scan();
        assertEquals(Strength.STRONG, found.get(0).strength(), found.toString());
        assertTrue(found.get(0).detail().contains("file deleted"));
    }

    /**
     * A name that came to stand for another file after the maps were read (a library replaced on
     * disk, or deleted after its load and its name reused) is not read as the mapping: the mapping
     * is read through map_files, or, where the kernel does not allow that, is "could not be read".
     */
    @Test
    void aNameThatIsNoLongerTheMappedFileIsNotReadAsIt() throws IOException {
        Path plugin = Files.write(dir.resolve("libplugin.so"), TinyElf.defining("plugin_init"));
        proc.maps(plugin.toString()); // the maps name the benign file, by its device and inode
        Path benign = Files.move(plugin, dir.resolve("libplugin.so.old"));
        Files.copy(client, plugin); // the client under the name now: another inode
        List<Finding> unread = scan();
        assertEquals(1, unread.size(), unread.toString());
        assertEquals(Strength.UNKNOWN, unread.get(0).strength(), "the replacement is not judged as the mapping");
        Path mapFiles = Files.createDirectories(proc.dir.resolve("map_files"));
        Files.copy(benign, mapFiles.resolve("7f0000000000-7f0000001000"));
        assertEquals(List.of(), scan(), "the mapping read as what it is: the benign file");
    }

    @Test
    void unreadableMappedExecutableIsUnknownAndNonElfDataIsIgnored() throws IOException {
        Path broken = Files.write(dir.resolve("libbroken.so"), new byte[]{0x7f, 'E', 'L', 'F', 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        Path data = Files.writeString(dir.resolve("locale-archive"), "not elf");
        proc.maps(broken.toString(), data.toString());
        List<Finding> findings = scan();
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(Strength.UNKNOWN, findings.get(0).strength());
        assertTrue(findings.get(0).detail().startsWith("could not read its symbols: bad ELF class"));
    }

    /** The smallest ELF file that defines the given dynamic symbols (64-bit little-endian). */
    static final class TinyElf {
        static byte[] defining(String... names) {
            StringBuilder strings = new StringBuilder("\0");
            int[] offsets = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                offsets[i] = strings.length();
                strings.append(names[i]).append('\0');
            }
            byte[] strtab = strings.toString().getBytes(StandardCharsets.US_ASCII);
            int symOff = 64 + ((strtab.length + 7) & ~7);
            int symSize = (names.length + 1) * 24;
            int shoff = symOff + symSize;
            ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
            b.put(new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1});
            b.putLong(0x28, shoff).putShort(0x3a, (short) 64).putShort(0x3c, (short) 3);
            b.position(64);
            b.put(strtab);
            for (int i = 0; i < names.length; i++) {
                b.putInt(symOff + (i + 1) * 24, offsets[i]).putShort(symOff + (i + 1) * 24 + 6, (short) 5);
            }
            int s1 = shoff + 64;
            b.putInt(s1 + 4, 11).putLong(s1 + 0x18, symOff).putLong(s1 + 0x20, symSize).putInt(s1 + 0x28, 2)
                    .putLong(s1 + 0x38, 24);
            int s2 = shoff + 128;
            b.putInt(s2 + 4, 3).putLong(s2 + 0x18, 64).putLong(s2 + 0x20, strtab.length);
            return b.array();
        }
    }
}
