package dev.profguard.elf;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real shared objects built by gcc, their section headers then altered the ways an attacker would:
 * the dynamic linker still binds their symbols (a small C program dlopens each and asks dlsym), and
 * the reader must still find them.
 */
class GccLibraryTest {
    private static final List<String> CLIENT = List.of("rmemInit", "rmemShutDown", "rmemAlloc");
    private static final List<String> DEFINED = List.of("rmemInit", "rmemShutDown");

    @TempDir
    static Path dir;
    private static Path binder;

    @BeforeAll
    static void buildTheBinder() throws Exception {
        boolean gcc;
        try {
            gcc = run(List.of("gcc", "--version")).isEmpty() == false;
        } catch (IOException e) {
            gcc = false;
        }
        assumeTrue(gcc, "gcc is not installed");
        Path source = dir.resolve("bind.c");
        Files.writeString(source, String.join("\n",
                "#include <dlfcn.h>",
                "#include <stdio.h>",
                "int main(int argc, char **argv) {",
                "  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);",
                "  if (!h) { printf(\"dlopen failed: %s\\n\", dlerror()); return 1; }",
                "  for (int i = 2; i < argc; i++) printf(\"%s=%s\\n\", argv[i], dlsym(h, argv[i]) ? \"bound\" : \"missing\");",
                "  return 0;",
                "}", ""));
        binder = dir.resolve("bind");
        run(List.of("gcc", "-o", binder.toString(), source.toString(), "-ldl"));
    }

    private static Path library(String hashStyle) throws Exception {
        Path source = dir.resolve("client.c");
        Files.writeString(source, "int rmemInit(void *p) { return p != 0; }\nvoid rmemShutDown(void) {}\n"
                + "int helper(int x) { return x + 1; }\n"
                + "extern int rmemAlloc(int) __attribute__((weak)); /* an import: not a definition */\n"
                + "int use(void) { return rmemAlloc ? rmemAlloc(1) : 0; }\n");
        Path library = dir.resolve("libclient-" + hashStyle + ".so");
        run(List.of("gcc", "-shared", "-fPIC", "-O1", "-Wl,--hash-style=" + hashStyle, "-o", library.toString(),
                source.toString()));
        return library;
    }

    /** What the dynamic linker binds from {@code library}, as "name=bound" lines. */
    private static String bound(Path library) throws Exception {
        List<String> command = new ArrayList<>(List.of(binder.toString(), library.toString()));
        command.addAll(DEFINED);
        return run(command);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "sysv", "both"})
    void intactLibraryAgreesAndShowsItsSymbols(String hashStyle) throws Exception {
        Path library = library(hashStyle);
        ElfResult result = new ElfSymbols(CLIENT).read(library);
        assertEquals(DEFINED, result.symbols(), result.toString());
        assertEquals("", result.mismatch());
        assertEquals(result.toString(), new ElfSymbols(CLIENT, false).read(library).toString(), "lookup and walk agree");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "sysv", "both"})
    void alteredDynsymSectionHeaderHidesNothing(String hashStyle) throws Exception {
        byte[] original = Files.readAllBytes(library(hashStyle));
        Sections sections = new Sections(original);
        byte[] retyped = original.clone();
        sections.buffer(retyped).putInt(sections.field(sections.dynsym, 4), 1); // SHT_PROGBITS
        check(hashStyle + "-retyped", retyped, "section headers disagree");

        byte[] moved = original.clone();
        sections.buffer(moved).putLong(sections.field(sections.dynsym, 0x18), 0); // sh_offset: the ELF header
        check(hashStyle + "-moved", moved, "section headers disagree");

        byte[] shrunk = original.clone(); // a decoy: only the null symbol, and no hash section to help
        ByteBuffer b = sections.buffer(shrunk);
        b.putLong(sections.field(sections.dynsym, 0x20), 24);
        for (int i = 0; i < sections.count; i++) {
            int type = b.getInt(sections.field(i, 4));
            if (type == 0x6ffffff6 || type == 5) { // SHT_GNU_HASH, SHT_HASH
                b.putInt(sections.field(i, 4), 1);
            }
        }
        check(hashStyle + "-decoy", shrunk, "section headers disagree");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "sysv", "both"})
    void sectionStrippedLibraryShowsItsSymbols(String hashStyle) throws Exception {
        Path library = library(hashStyle);
        byte[] original = Files.readAllBytes(library);
        // What sstrip does: no section header table, nothing after the last loaded byte.
        byte[] stripped = original.clone();
        ByteBuffer b = ByteBuffer.wrap(stripped).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x28, 0).putShort(0x3c, (short) 0).putShort(0x3e, (short) 0);
        long end = 0;
        long phoff = b.getLong(0x20);
        for (int i = 0; i < b.getShort(0x38); i++) {
            int at = (int) phoff + i * 56;
            if (b.getInt(at) == 1) { // PT_LOAD
                end = Math.max(end, b.getLong(at + 8) + b.getLong(at + 0x20));
            }
        }
        check(hashStyle + "-sstripped", Arrays.copyOf(stripped, (int) end), "no section headers");
        boolean sstrip;
        try {
            sstrip = new ProcessBuilder("sstrip", "--version").start().waitFor() >= 0;
        } catch (IOException e) {
            sstrip = false;
        }
        if (sstrip) { // the real tool as well, when the machine has it
            Path copy = dir.resolve("libclient-" + hashStyle + "-sstrip.so");
            Files.write(copy, original);
            run(List.of("sstrip", copy.toString()));
            check(hashStyle + "-sstrip", Files.readAllBytes(copy), "no section headers");
        }
    }

    /** ld.so binds the client's names from {@code bytes}, and the reader finds them, noting the mismatch. */
    private static void check(String name, byte[] bytes, String mismatch) throws Exception {
        Path library = dir.resolve("libclient-" + name + ".so");
        Files.write(library, bytes);
        assertEquals("rmemInit=bound\nrmemShutDown=bound\n", bound(library), name + ": the dynamic linker still binds them");
        ElfResult result = new ElfSymbols(CLIENT).read(library);
        assertEquals(ElfResult.Status.OK, result.status(), name + ": " + result);
        assertTrue(result.symbols().containsAll(DEFINED), name + ": " + result);
        assertTrue(result.mismatch().startsWith(mismatch), name + ": " + result.mismatch());
        assertTrue(new ElfSymbols(CLIENT, false).read(library).symbols().containsAll(DEFINED), name + " by the walk");
    }

    /** The section header table of a 64-bit little-endian file (what gcc builds here). */
    private static final class Sections {
        final long shoff;
        final int count;
        final int dynsym;

        Sections(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            assumeTrue(bytes[4] == 2 && bytes[5] == 1, "this machine's gcc builds 64-bit little-endian objects");
            shoff = b.getLong(0x28);
            count = b.getShort(0x3c);
            int found = -1;
            for (int i = 0; i < count; i++) {
                if (b.getInt((int) shoff + i * 64 + 4) == 11) {
                    found = i;
                }
            }
            assertTrue(found > 0, "gcc's output has a .dynsym");
            dynsym = found;
        }

        int field(int section, int field) {
            return (int) shoff + section * 64 + field;
        }

        ByteBuffer buffer(byte[] bytes) {
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not end");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), command + ": " + text);
        return text;
    }
}
