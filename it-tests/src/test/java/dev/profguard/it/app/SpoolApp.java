package dev.profguard.it.app;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A clean application that holds a file whose first bytes happen to be MTuner's capture header
 * (an upload, a spool file): {@code hold-open PATH MILLIS} writes it and keeps it open MILLIS;
 * {@code write-then-wait PATH MILLIS} writes it, closes it and stays MILLIS;
 * {@code hold-deleted PATH MILLIS} writes it, opens it, unlinks it and writes an ordinary file
 * under the same name, then keeps the first open MILLIS. Closes, then prints MAIN-DONE. {@code
 * leased HOLDER MILLIS}: starts HOLDER (lease_holder) on two files of the working directory, stays
 * MILLIS, prints MAIN-DONE.
 */
public final class SpoolApp {
    private SpoolApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        if (args[0].equals("leased")) { // HOLDER MILLIS: HOLDER makes two files here and holds leases on them
            new ProcessBuilder(args[1], "spool-1.dat", "spool-2.dat").inheritIO().start();
            Thread.sleep(Long.parseLong(args[2]));
            System.out.println(PauseApp.DONE);
            return;
        }
        Path path = Path.of(args[1]);
        Files.write(path, new byte[] {0x00, 0x40, 0x01, 0x02, 0x02, 'u', 'p', 'l', 'o', 'a', 'd', '\n'});
        if (args[0].equals("write-then-wait")) { // PATH MILLIS: written and closed, then MILLIS
            Thread.sleep(Long.parseLong(args[2]));
            System.out.println(PauseApp.DONE);
            return;
        }
        try (RandomAccessFile held = new RandomAccessFile(path.toFile(), "r")) {
            if (args[0].equals("hold-deleted")) {
                Files.delete(path);
                Files.writeString(path, "an ordinary file, not capture data\n");
            }
            Thread.sleep(Long.parseLong(args[2]));
        }
        System.out.println(PauseApp.DONE);
    }
}
