package dev.profguard.scan;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TarReaderTest {
    /** A ustar header with a valid checksum. */
    private static byte[] header(String name, char type, long size) {
        byte[] block = new byte[512];
        byte[] bytes = name.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bytes, 0, block, 0, Math.min(bytes.length, 100));
        octal(block, 100, 8, 0644);
        octal(block, 124, 12, size);
        block[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.ISO_8859_1), 0, block, 257, 8);
        checksum(block);
        return block;
    }

    private static void octal(byte[] block, int offset, int length, long value) {
        String text = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(text.getBytes(StandardCharsets.ISO_8859_1), 0, block, offset, length - 1);
    }

    private static void checksum(byte[] block) {
        java.util.Arrays.fill(block, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : block) {
            sum += b & 0xff;
        }
        octal(block, 148, 7, sum);
    }

    private static byte[] tar(byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part);
            out.write(new byte[(512 - part.length % 512) % 512]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    private static TarReader reader(byte[] tar) {
        return new TarReader(new ByteArrayInputStream(tar), 100, 1024);
    }

    @Test
    void readsMembersPaxAndGnuLongNames() throws IOException {
        String pax = "path=opt/a-long-name.so\n";
        String record = (pax.length() + 3) + " " + pax;
        byte[] longName = "opt/gnu-long-name.so\0".getBytes(StandardCharsets.ISO_8859_1);
        TarReader tar = reader(tar(header("plain.so", '0', 3), "abc".getBytes(),
                header("PaxHeader", 'x', record.length()), record.getBytes(StandardCharsets.ISO_8859_1),
                header("short", '0', 2), "xy".getBytes(),
                header("././@LongLink", 'L', longName.length), longName,
                header("short", '0', 1), "z".getBytes()));
        TarReader.Entry first = tar.next();
        assertEquals("plain.so", first.name());
        assertEquals("abc", new String(tar.content().readAllBytes()));
        TarReader.Entry second = tar.next();
        assertEquals("opt/a-long-name.so", second.name());
        assertEquals(2, second.size());
        assertEquals("opt/gnu-long-name.so", tar.next().name());
        assertNull(tar.next());
    }

    @Test
    void corruptOversizedAndTruncatedHeadersAreErrorsNotGuesses() {
        byte[] bad = header("x", '0', 0);
        bad[0] = 'y'; // checksum no longer holds
        assertThrows(IOException.class, () -> reader(tar(bad)).next());
        assertThrows(ScanBounds.class, () -> reader(tar(header("PaxHeader", 'x', 1L << 30))).next());
        assertThrows(ScanBounds.class, () -> reader(tar(header("L", 'L', 5000))).next());
        byte[] cut = java.util.Arrays.copyOf(header("x", '0', 10_000), 512);
        assertThrows(IOException.class, () -> {
            TarReader tar = reader(cut);
            tar.next();
            tar.content().readAllBytes();
        });
        TarReader many = new TarReader(new ByteArrayInputStream(assertDoesNotThrowTar()), 2, 1024);
        assertThrows(ScanBounds.class, () -> {
            while (many.next() != null) {
                // read on until the bound
            }
        });
    }

    private static byte[] assertDoesNotThrowTar() throws RuntimeException {
        try {
            return tar(header("a", '0', 0), header("b", '0', 0), header("c", '0', 0));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void layersApplyInOrderWithWhiteoutsOpaqueDirectoriesAndReplacements() {
        Layer base = new Layer("base");
        base.record("opt/app/libdecoy.so", '0', "", "b!/opt/app/libdecoy.so");
        base.record("opt/old/libold.so", '0', "", "b!/opt/old/libold.so");
        base.record("opt/keep/libkeep.so", '0', "", "b!/opt/keep/libkeep.so");
        base.record("var/lib/libdir.so", '0', "", "b!/var/lib/libdir.so");
        base.record("etc/libtwice.so", '0', "", "first");
        base.record("etc/libtwice.so", '0', "", "second");
        Layer next = new Layer("next");
        assertEquals(false, next.record("opt/app/.wh.libdecoy.so", '0', "", "w"));
        next.record("opt/old/.wh..wh..opq", '0', "", "o");
        next.record("var/lib", '2', "/elsewhere", "l");
        List<Layer> ordered = List.of(base, next);
        assertEquals(false, Layer.survives(ordered, 0, "opt/app/libdecoy.so", 1));
        assertEquals(false, Layer.survives(ordered, 0, "opt/old/libold.so", 2));
        assertTrue(Layer.survives(ordered, 0, "opt/keep/libkeep.so", 3));
        assertEquals(false, Layer.survives(ordered, 0, "var/lib/libdir.so", 4));
        assertEquals(false, Layer.survives(ordered, 0, "etc/libtwice.so", 5));
        assertTrue(Layer.survives(ordered, 0, "etc/libtwice.so", 6));
        assertTrue(Layer.survives(List.of(next, base), 1, "opt/app/libdecoy.so", 1), "order matters");
        assertEquals("etc/x", Layer.normalize("/../../etc/./x"));
    }
}
