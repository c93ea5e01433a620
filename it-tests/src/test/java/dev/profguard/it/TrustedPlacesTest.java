package dev.profguard.it;

import dev.profguard.it.Jvm.Run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The places whose libraries are not searched for marks (the system's library directories and
 * the running JDK) and the linker's answer for what they define, each attacked the way a red team
 * got a working client past a production start (this session's third round), each held now:
 * <ul>
 * <li>a client whose rmem* symbols are bound to a hidden version (rmemInit@RMEM_1): dlsym does not
 *     see them, the object's own symbol table does, wherever it lies;</li>
 * <li>"the running JDK" taken from the launcher's place: a copied launcher beside links into the
 *     real JDK made any directory the JDK; it is now where the loaded libjvm.so really is;</li>
 * <li>a JDK copy its user can write to: only a place root alone can change is trusted;</li>
 * <li>capture data open under the JDK's directory, which the open-file checks passed over;</li>
 * <li>-agentpath inside -XX:VMOptionsFile, which no check read.</li>
 * </ul>
 */
class TrustedPlacesTest extends JvmTest {
    private Path marker() {
        return dir.resolve("constructor-ran");
    }

    /**
     * The client in /usr/lib/x86_64-linux-gnu, preloaded by /etc/ld.so.preload, in a private
     * mount namespace whose overlays leave the real /etc and /usr/lib untouched.
     */
    @OnEachJdk
    void aClientWithHiddenVersionsInTheSystemsDirectoryIsRefusedAndSwitchedOff(Jdk jdk) throws Exception {
        Path lower = Files.createDirectories(dir.resolve("lib-upper"));
        Files.createDirectories(dir.resolve("lib-work"));
        Path etc = Files.createDirectories(dir.resolve("etc-upper"));
        Files.createDirectories(dir.resolve("etc-work"));
        Files.copy(Jvm.fixture("libversioned-helper.so"), lower.resolve("libzhelper.so.1"));
        Files.writeString(etc.resolve("ld.so.preload"), "/usr/lib/x86_64-linux-gnu/libzhelper.so.1\n");
        String script = "mount -t overlay overlay -o lowerdir=/usr/lib/x86_64-linux-gnu,upperdir=" + lower + ",workdir="
                + dir.resolve("lib-work") + " /usr/lib/x86_64-linux-gnu && mount -t overlay overlay -o lowerdir=/etc,upperdir="
                + etc + ",workdir=" + dir.resolve("etc-work") + " /etc && exec \"$@\"";
        for (String action : List.of("refuse", "neutralize")) {
            Files.deleteIfExists(marker());
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,action=" + action).env("STANDIN_MARKER_FILE", marker().toString())
                    .wrappedIn(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh")).run();
            assertTrue(Files.exists(marker()), "the client really ran its constructor\n" + run);
            String line = run.onlyProfguardLine();
            assertTrue(line.contains("/usr/lib/x86_64-linux-gnu/libzhelper.so.1 defines rmemInit"), run.toString());
            if (action.equals("refuse")) {
                assertEquals(78, run.exitStatus(), run.toString());
                assertFalse(run.mainRan());
            } else {
                assertEquals(0, run.exitStatus(), run.toString());
                assertTrue(line.contains("It was switched off in place: called rmemShutDown()"), line);
            }
        }
    }

    /** A launcher copied beside links into the real JDK: the hidden client among the links is no JDK library. */
    @OnEachJdk
    void aCopiedLauncherDoesNotMakeItsDirectoryTheJdk(Jdk jdk) throws Exception {
        Path farm = farm(jdk, false);
        Files.copy(Jvm.fixture("libhidden-helper.so"), farm.resolve("lib/libhelper.so"));
        Run run = onFarm(farm).run();
        assertRefusedForMarks(run, farm.resolve("lib/libhelper.so"));
    }

    /** A JDK whose libjvm.so is a real copy, in a directory its group can write to: not root's alone, so not trusted. */
    @OnEachJdk
    void aJdkCopyThatOthersCanWriteToIsNotTrusted(Jdk jdk) throws Exception {
        Path farm = farm(jdk, true);
        Files.copy(Jvm.fixture("libhidden-helper.so"), farm.resolve("lib/libhelper.so"));
        Files.setPosixFilePermissions(farm.resolve("lib"), PosixFilePermissions.fromString("rwxrwxr-x"));
        Run run = onFarm(farm).run();
        assertRefusedForMarks(run, farm.resolve("lib/libhelper.so"));
    }

    /** Capture data held open under the JDK's own (trusted) directory is capture data all the same. */
    @OnEachJdk
    void captureDataOpenUnderTheJdkIsFound(Jdk jdk) throws Exception {
        Path farm = farm(jdk, true); // root's alone: this copy is "the JDK"
        Path data = farm.resolve("lib/recording.bin");
        Files.write(data, new byte[]{0x00, 0x40, 0x01, 0x02, 0x02, 0x11, 0x22, 0x33});
        Run run = Jvm.on(new Jdk("farm", farm), dir).agentArgs("env=production")
                .wrappedIn(List.of("sh", "-c", "exec 7<\"$0\"; exec \"$@\"", data.toString())).run();
        assertEquals(78, run.exitStatus(), run.toString());
        assertTrue(run.onlyProfguardLine().contains("open file " + data + " (a capture file by its content"), run.toString());
    }

    @OnEachJdk
    void anAgentInsideAVmOptionsFileIsJudged(Jdk jdk) throws Exception {
        Path options = dir.resolve("jvm.options");
        Files.writeString(options, "-Xss1m\n-agentpath:" + Jvm.fixture("libagent-helper.so") + "\n");
        Run run = Jvm.on(jdk, dir).agentArgs("env=production").option("-XX:VMOptionsFile=" + options).run();
        assertEquals(78, run.exitStatus(), run.toString());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains(Jvm.fixture("libagent-helper.so") + " defines rmemInit"), run.toString());
        assertTrue(line.contains("JVM argument " + Jvm.fixture("libagent-helper.so") + " (-agentpath:"),
                "the option read from the file is evidence of its own\n" + run);
    }

    private void assertRefusedForMarks(Run run, Path client) {
        assertEquals(78, run.exitStatus(), run.toString());
        assertFalse(run.mainRan());
        String line = run.onlyProfguardLine();
        assertTrue(line.contains(client.toString()) && line.contains("carries mtuner_capture_, .MTuner"), line);
    }

    private Jvm onFarm(Path farm) {
        return Jvm.on(new Jdk("farm", farm), dir).agentArgs("env=production")
                .env("LD_PRELOAD", farm.resolve("lib/libhelper.so").toString());
    }

    /**
     * A "JDK" of links: a copy of the real launcher, every other entry a link to the real JDK's
     * own; with {@code copyLibjvm}, lib/server is a directory whose libjvm.so is a real copy.
     */
    private Path farm(Jdk jdk, boolean copyLibjvm) throws IOException {
        Path home = jdk.home().toRealPath();
        Path farm = Files.createDirectories(dir.resolve("farm"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(farm, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> top = Files.list(home)) {
            for (Path entry : top.toList()) {
                Path name = entry.getFileName();
                if (!name.toString().equals("bin") && !name.toString().equals("lib")) {
                    Files.createSymbolicLink(farm.resolve(name.toString()), entry);
                }
            }
        }
        Files.createDirectories(farm.resolve("bin"));
        Files.copy(home.resolve("bin/java"), farm.resolve("bin/java"), StandardCopyOption.COPY_ATTRIBUTES);
        Path lib = Files.createDirectories(farm.resolve("lib"));
        Files.setPosixFilePermissions(lib, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> entries = Files.list(home.resolve("lib"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (copyLibjvm && name.equals("server")) {
                    Path server = Files.createDirectories(lib.resolve("server"));
                    try (Stream<Path> inner = Files.list(entry)) {
                        for (Path file : inner.toList()) {
                            if (file.getFileName().toString().equals("libjvm.so")) {
                                Files.copy(file, server.resolve("libjvm.so"));
                            } else {
                                Files.createSymbolicLink(server.resolve(file.getFileName().toString()), file);
                            }
                        }
                    }
                } else {
                    Files.createSymbolicLink(lib.resolve(name), entry);
                }
            }
        }
        return farm;
    }
}
