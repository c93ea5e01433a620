package dev.profguard.detect;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What counts as the system's or the running JDK's own library: narrowly, by real path (red-team cases). */
class LocationsTest {
    @Test
    void theSystemsLibraryDirectoriesAndTheRunningJdkCount() throws IOException {
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        if (Files.exists(libc)) {
            assertTrue(Locations.isSystem(libc.toString()));
        }
        Path libjvm = Path.of(Locations.jdkHome(), "lib", "server", "libjvm.so");
        assertTrue(Locations.isSystem(libjvm.toString()), libjvm.toString());
    }

    @Test
    void namesThatDoNotResolveNeverCount() {
        assertFalse(Locations.isSystem("/memfd:x/../../usr/lib/libz-helper.so"));
        assertFalse(Locations.isSystem("/usr/lib/no-such-library-here.so"));
        assertFalse(Locations.isSystem("/usr/lib/../../tmp/x.so"));
        assertFalse(Locations.isSystem("libc.so.6"));
    }

    @Test
    void aSubdirectoryOfASystemDirectoryDoesNot() throws IOException {
        // a vendor's /usr/lib/<something>/file, whatever is installed on this machine
        Optional<Path> vendor;
        try (Stream<Path> files = Files.find(Path.of("/usr/lib"), 3, (p, a) -> a.isRegularFile()
                && !p.startsWith("/usr/lib/x86_64-linux-gnu") && !p.startsWith("/usr/lib/jvm") && p.getNameCount() > 3)) {
            vendor = files.findFirst();
        }
        vendor.ifPresent(p -> assertFalse(Locations.isSystem(p.toString()), p.toString()));
    }

    @Test
    void anotherJdkThanTheRunningOneDoesNot() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : (Iterable<Path>) jdks::iterator) {
                Path libjava = jdk.resolve("lib/libjava.so");
                if (Files.isRegularFile(libjava) && !libjava.toRealPath().startsWith(Locations.jdkHome())) {
                    assertFalse(Locations.isSystem(libjava.toString()), libjava.toString());
                }
            }
        }
        assertTrue(List.of(Locations.jdkHome()).get(0).startsWith("/"));
    }
}
