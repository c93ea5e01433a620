package dev.profguard.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random mutations of valid images (hand-made ones, with and without PT_DYNAMIC, the head of the
 * real libjvm.so, the whole libjli.so and libz.so.1) for a bounded time
 * ({@code -Dprofguard.fuzz.seconds}, 20 in CI). The reader must return a result for
 * every input: no exception, no hang (the timeout), no huge allocation (the heap of the test JVM).
 * A failing seed is printed so the case can be replayed.
 */
class ElfSymbolsFuzzTest {
    private static final int[] INTERESTING = {0, 1, -1, 4, 8, 16, 24, 0x1000, 0x7fff_ffff, 0x8000_0000, 0x40_0000, 0x41_0000};

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void mutatedImagesNeverThrowOrHang() throws IOException {
        long seconds = Long.getLong("profguard.fuzz.seconds", 5);
        long seed = Long.getLong("profguard.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        ElfSymbols reader = new ElfSymbols(List.of("rmemInit", "rmemShutDown", "rmemAlloc"));
        List<byte[]> seeds = new ArrayList<>();
        for (boolean is64 : new boolean[]{true, false}) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                seeds.add(new ElfImage(is64, order).define("rmemInit", "rmemAlloc", "x").importing("rmemShutDown").bytes());
                seeds.add(new ElfImage(is64, order).hashed().define("rmemInit", "rmemAlloc", "x").importing("y").bytes());
                // what ld.so reads: PT_LOAD, PT_DYNAMIC and each kind of hash table, or a decoy
                seeds.add(new ElfImage(is64, order).loadable().define("rmemInit", "x").importing("y").bytes());
                seeds.add(new ElfImage(is64, order).hashed().loadable().define("rmemInit", "rmemAlloc", "x")
                        .importing("y").bytes());
                seeds.add(new ElfImage(is64, order).sysvHashed().define("rmemInit", "rmemAlloc", "x", "z")
                        .importing("rmemShutDown").bytes());
                seeds.add(new ElfImage(is64, order).hashed().decoyed().define("rmemInit", "x").bytes());
            }
        }
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        seeds.add(head(libjvm, 64 * 1024));
        Path libjli = Path.of(System.getProperty("java.home"), "lib", "libjli.so"); // whole, with .gnu.hash
        seeds.add(head(libjli, 1 << 20));
        seeds.add(head(Path.of("/lib/x86_64-linux-gnu/libz.so.1"), 1 << 20)); // small, real PT_DYNAMIC
        Path file = dir.resolve("fuzz.so");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long cases = 0;
        while (System.nanoTime() < deadline) {
            byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
            int mutations = 1 + random.nextInt(8);
            for (int m = 0; m < mutations; m++) {
                // Headers and tables sit in the first and last few KiB: aim there two times in three.
                int at = switch (random.nextInt(3)) {
                    case 0 -> random.nextInt(Math.min(input.length, 4096));
                    case 1 -> Math.max(0, input.length - 1 - random.nextInt(Math.min(input.length, 4096)));
                    default -> random.nextInt(input.length);
                };
                switch (random.nextInt(5)) {
                    case 0 -> input[at] = (byte) random.nextInt(256);
                    case 1 -> input[at] = (byte) (random.nextBoolean() ? 0xff : 0x00);
                    case 2 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    case 3 -> { // a count, offset or address turned absurd or off by a little
                        int word = at & ~3;
                        int value = INTERESTING[random.nextInt(INTERESTING.length)] + (random.nextBoolean() ? 0 : input.length);
                        for (int k = 0; k < 4 && word + k < input.length; k++) {
                            input[word + k] = (byte) (value >>> (8 * k));
                        }
                    }
                    default -> input = java.util.Arrays.copyOf(input, Math.max(1, at));
                }
            }
            ElfResult result;
            try {
                if ((cases & 7) == 0) { // the file route one case in eight; the rest from memory, faster
                    Files.write(file, input);
                    result = reader.read(file);
                } else {
                    result = reader.read(input);
                }
            } catch (RuntimeException | Error e) {
                throw new AssertionError("seed " + seed + ", case " + cases + ": " + e, e);
            }
            assertNotNull(result);
            cases++;
        }
        assertTrue(cases > 0, "the fuzz run ran no case");
        System.out.println("ELF fuzz: " + cases + " mutated inputs in " + seconds + " s, seed " + seed);
    }

    private static byte[] head(Path file, int size) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1};
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(size, channel.size()));
            channel.read(buffer, 0);
            return buffer.array();
        }
    }
}
