package dev.profguard.probe;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real probe library, built by this module, loaded into the test JVM. A test JVM has no
 * Instrumentation, so this goes through the loader's System.load fallback (JDK 17: no warning);
 * the warning-free route under an agent is covered by it-tests on JDK 17 and 25.
 */
class ProbeTest {
    private static Probe probe;
    private static String libjvm;

    @BeforeAll
    static void load() throws Exception {
        probe = NativeLoader.load(null);
        libjvm = probe.loadedObjects().stream().map(LoadedObject::path).filter(p -> p.endsWith("/libjvm.so"))
                .findFirst().orElseThrow();
    }

    @Test
    void listsLoadedObjectsWithBaseAndZeroFill() {
        List<LoadedObject> objects = probe.loadedObjects();
        assertTrue(objects.size() > 5, objects.toString());
        assertEquals("", objects.get(0).path(), "the main program comes first, unnamed");
        assertTrue(objects.stream().anyMatch(o -> o.path().contains("libc.so")), objects.toString());
        assertTrue(objects.stream().allMatch(o -> o.zeroFill() >= 0));
    }

    @Test
    void changeCountIsStableWhileNothingIsLoaded() {
        // That it grows on dlopen/dlclose is checked by the C tests (probe_test.c).
        long before = probe.changeCount();
        assertTrue(before > 0);
        assertEquals(before, probe.changeCount());
    }

    @Test
    void definedSymbolsAreTheObjectsOwnNotItsDependencies() {
        assertEquals(List.of("JNI_CreateJavaVM"), probe.definedSymbols(libjvm, List.of("JNI_CreateJavaVM", "malloc", "rmemInit")));
        assertNull(probe.definedSymbols("/no/such/libmtuner.so", List.of("rmemInit")));
    }

    @Test
    void providerOfMallocIsTheCLibrary() {
        assertTrue(probe.provider("malloc").contains("libc.so"), probe.provider("malloc"));
        assertNull(probe.provider("rmemInit"));
    }

    @Test
    void liveEnvironmentMatchesTheProcess() {
        assertEquals(System.getenv("PATH"), probe.liveEnvironment().get("PATH"));
    }

    @Test
    void marksAreFoundInLoadedMemory() {
        assertEquals(List.of("JNI_CreateJavaVM"), probe.marks(libjvm, List.of("JNI_CreateJavaVM", "mtuner_capture_")));
        assertNull(probe.marks("/no/such/lib.so", List.of("x")));
    }

    @Test
    void switchingOffNeedsTheObjectsOwnShutdown() {
        assertEquals(Probe.SwitchOff.NOT_LOADED, probe.switchOff("/no/such/libmtuner.so", "rmemShutDown"));
        assertEquals(Probe.SwitchOff.NO_SHUTDOWN, probe.switchOff(libjvm, "rmemShutDown"));
        assertEquals(Probe.SwitchOff.NO_SHUTDOWN, probe.switchOff(libjvm, "malloc"), "a dependency's function is never called");
    }

    @Test
    void corruptEmbeddedLibraryIsRefusedBeforeLoading() {
        ProbeUnavailableException e = assertThrows(ProbeUnavailableException.class,
                () -> NativeLoader.load(null, ProbeTest.class, "/corrupt/libprofguard_probe.so"));
        assertTrue(e.getMessage().startsWith("the probe library in the agent jar is corrupt (SHA-256 "), e.getMessage());
        ProbeUnavailableException missing = assertThrows(ProbeUnavailableException.class,
                () -> NativeLoader.load(null, ProbeTest.class, "/absent/libprofguard_probe.so"));
        assertTrue(missing.getMessage().contains("has no /absent/libprofguard_probe.so"), missing.getMessage());
        assertNotNull(probe);
    }
}
