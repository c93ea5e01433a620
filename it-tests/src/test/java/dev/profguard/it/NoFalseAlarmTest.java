package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoadEachApp;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What production legitimately runs passes a production start silently: jemalloc and tcmalloc
 * as plain allocators, and the native libraries of real JNI jars from Maven Central (copied by
 * the build into target/jni-jars) through the load gate and through {@code scan}.
 */
class NoFalseAlarmTest extends JvmTest {
    private static final Path JNI_JARS = Path.of(System.getProperty("profguard.it.jniJars"));
    /** Each jar's linux x86-64 library (jar name prefix, entry). */
    private static final List<List<String>> LIBRARIES = List.of(
            List.of("netty-transport-native-epoll", "META-INF/native/libnetty_transport_native_epoll_x86_64.so"),
            List.of("netty-incubator-transport-native-io_uring", "META-INF/native/libnetty_transport_native_io_uring_x86_64.so"),
            List.of("rocksdbjni", "librocksdbjni-linux64.so"),
            List.of("sqlite-jdbc", "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"),
            List.of("lz4-java", "net/jpountz/util/linux/amd64/liblz4-java.so"),
            List.of("snappy-java", "org/xerial/snappy/native/Linux/x86_64/libsnappyjava.so"),
            List.of("zstd-jni", "linux/amd64/libzstd-jni-1.5.6-3.so"),
            List.of("conscrypt-openjdk-uber", "META-INF/native/libconscrypt_openjdk_jni-linux-x86_64.so"));

    @OnEachJdk
    void jemallocAndTcmallocAsPlainAllocatorsStartSilently(Jdk jdk) throws Exception {
        for (String allocator : List.of("libjemalloc.so.2", "libtcmalloc.so.4", "libtcmalloc_minimal.so.4")) {
            Run run = Jvm.on(jdk, dir).agentArgs("env=production,log.level=warn")
                    .env("LD_PRELOAD", OtherProfilersTest.LIB.resolve(allocator).toString()).run();
            assertEquals(0, run.exitStatus(), run.toString());
            assertTrue(run.mainRan(), run.toString());
            assertEquals(List.of(), run.profguardLines(), allocator + ": " + run);
        }
    }

    @OnEachJdk
    void realJniLibrariesPassTheGateAndScanSilently(Jdk jdk) throws Exception {
        List<String> extracted = new ArrayList<>();
        for (List<String> library : LIBRARIES) {
            extracted.add(extract(library.get(0), library.get(1)).toString());
        }
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production");
        try (var jars = Files.list(JNI_JARS)) { // their JNI_OnLoad looks up their own classes (conscrypt aborts without)
            jars.sorted().forEach(jvm::classpath);
        }
        Run run = jvm.main(LoadEachApp.class, extracted.toArray(String[]::new)).run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertEquals(List.of(), run.profguardLines(), run.toString());
        for (String library : extracted) { // loaded, or failed after the load for want of its Java classes
            assertTrue(run.stdout().contains("LOADED " + library) || run.stdout().contains("FAILED " + library), run.toString());
        }
        assertFalse(run.stdout().contains("profguard:"), "no load was refused: " + run);
        AgentCommand scan = AgentCommand.run(jdk, dir, "scan", JNI_JARS.toString());
        assertEquals(0, scan.status(), scan.toString());
        assertTrue(scan.stderr().contains("0 findings, 0 not inspected") || scan.stdout().contains("0 findings, 0 not inspected"),
                scan.toString());
    }

    /**
     * A JNI library deleted from disk once loaded (netty's default, conscrypt's) in a JVM without
     * capabilities, as in a container: its file can no longer be read by its name, nor through
     * /proc/self/map_files (which asks for CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN). The gate read
     * it whole before the JDK loaded it, and the watcher knows that file by its device and inode:
     * no "could not complete the check" WARN at each tick or at the end, as there was.
     */
    @OnEachJdk
    void aLibraryDeletedAfterItsLoadIsNoFalseAlarmWithoutCapabilities(Jdk jdk) throws Exception {
        Path library = Files.copy(Jvm.fixture("libbenign.so"), dir.resolve("libnetty-like.so"));
        Jvm jvm = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=200ms")
                .wrappedIn(List.of("setpriv", "--bounding-set=-all", "--inh-caps=-all"))
                .main(dev.profguard.it.app.LoadApp.class, "load-delete-wait", library.toString(), "1200");
        jvm.applicationNativeAccess();
        Run run = jvm.run();
        assertEquals(0, run.exitStatus(), run.toString());
        assertFalse(Files.exists(library), run.toString());
        assertEquals(List.of(), run.profguardLines(), run.toString());
    }

    private Path extract(String jarPrefix, String entry) throws Exception {
        try (var jars = Files.list(JNI_JARS)) {
            Path jar = jars.filter(p -> p.getFileName().toString().startsWith(jarPrefix + "-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException(jarPrefix + " jar missing in " + JNI_JARS));
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry found = zip.getEntry(entry);
                assertTrue(found != null, entry + " in " + jar);
                Path target = Files.createDirectories(dir.resolve("jni").resolve(jarPrefix))
                        .resolve(entry.substring(entry.lastIndexOf('/') + 1));
                try (InputStream in = zip.getInputStream(found)) {
                    Files.copy(in, target);
                }
                return target;
            }
        }
    }
}
