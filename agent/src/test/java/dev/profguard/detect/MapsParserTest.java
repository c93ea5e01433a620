package dev.profguard.detect;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapsParserTest {
    private static final String MAPS = String.join("\n",
            "55d0c0a00000-55d0c0a01000 r--p 00000000 fd:01 1234  /usr/bin/java",
            "55d0c0a01000-55d0c0a02000 r-xp 00001000 fd:01 1234  /usr/bin/java",
            "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 ",
            "7f1000000000-7f1000001000 r--p 00000000 fd:01 99   /opt/app/lib with space.so",
            "7f1000001000-7f1000002000 r-xp 00001000 fd:01 99   /opt/app/lib with space.so",
            "7f2000000000-7f2000001000 r-xp 00000000 fd:01 77   /tmp/x/libgone.so (deleted)",
            "7f3000000000-7f3000001000 r--s 00000000 fd:01 55   /tmp/hsperfdata_root/42",
            "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0    [stack]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
            "7f4000000000-7f4000001000 r-xp 00000000 fd:01 66   /tmp/new\\012line.so",
            "garbage line",
            "");

    @Test
    void distinctFileBackedObjectsWithExecutableAndDeletedMarks() {
        MapsParser.Result result = MapsParser.parse(MAPS);
        List<MappedObject> objects = result.objects();
        assertEquals(List.of("/usr/bin/java", "/opt/app/lib with space.so", "/tmp/x/libgone.so",
                "/tmp/hsperfdata_root/42", "/tmp/new\nline.so"), objects.stream().map(MappedObject::path).toList());
        assertTrue(objects.get(0).executable(), "r-x on a later line counts");
        assertEquals("55d0c0a00000-55d0c0a01000", objects.get(0).range(), "first mapping's range");
        assertTrue(objects.get(2).deleted());
        assertTrue(objects.get(2).executable());
        assertFalse(objects.get(3).executable());
        assertEquals(1, result.malformedLines());
    }

    /**
     * A file is its device and inode: a client mapped under a loaded library's name, deleted or not,
     * is an object of its own (red team, round 11), and the same file under a second name is judged
     * under that name too; the lines of one file under one name stay one object.
     */
    @Test
    void filesAreTheirDeviceAndInodeNotTheirNames() {
        String maps = String.join("\n",
                "7f1000000000-7f1000001000 r--p 00000000 fd:01 10   /opt/app/libhelper.so (deleted)",
                "7f1000001000-7f1000002000 r-xp 00001000 fd:01 10   /opt/app/libhelper.so (deleted)",
                "7f2000000000-7f2000001000 r--p 00000000 fd:01 20   /opt/app/libhelper.so",
                "7f2000001000-7f2000002000 r-xp 00001000 fd:01 20   /opt/app/libhelper.so",
                "7f3000000000-7f3000001000 r-xp 00000000 00:5e 5    /usr/lib/x86_64-linux-gnu/libc.so.6",
                "7f4000000000-7f4000001000 r-xp 00000000 fd:01 20   /opt/app/libother-name.so",
                "");
        List<MappedObject> objects = MapsParser.parse(maps).objects();
        assertEquals(4, objects.size(), objects.toString());
        assertEquals("7f1000000000-7f1000001000", objects.get(0).range());
        assertTrue(objects.get(0).deleted() && objects.get(0).executable() && objects.get(0).inode() == 10);
        assertEquals("7f2000000000-7f2000001000", objects.get(1).range());
        assertFalse(objects.get(1).deleted());
        assertEquals("00:5e", objects.get(2).device());
        assertEquals("/opt/app/libother-name.so", objects.get(3).path());
        assertEquals(objects.get(1).inode(), objects.get(3).inode());
    }

    /** Each file's ELF headers (mappings at offset 0) and code ranges, and whether its name was escaped (round 12). */
    @Test
    void headersCodeRangesAndAmbiguousNames() {
        String maps = String.join("\n",
                "10000000-10001000 r--p 00001000 fd:01 30   /opt/app/lib\\012x.so",
                "7f1000000000-7f1000001000 r--p 00000000 fd:01 30   /opt/app/lib\\012x.so",
                "7f1000001000-7f1000003000 r-xp 00001000 fd:01 30   /opt/app/lib\\012x.so",
                "7f2000000000-7f2000001000 r--p 00000000 fd:01 40   /opt/app/libplain.so",
                "");
        List<MappedObject> objects = MapsParser.parse(maps).objects();
        assertEquals(2, objects.size());
        MappedObject decoyed = objects.get(0);
        assertEquals("10000000-10001000", decoyed.range(), "its lowest mapping");
        assertArrayEquals(new long[]{0x7f1000000000L}, decoyed.headers(), "the ELF header is where offset 0 is mapped");
        assertArrayEquals(new long[]{0x7f1000001000L, 0x7f1000003000L}, decoyed.code());
        assertTrue(decoyed.escaped(), "a backslash in the text: the name cannot be told back");
        assertFalse(objects.get(1).escaped());
        assertEquals(0, objects.get(1).code().length);
    }

    @Test
    void emptyAndBinaryInputNeverThrows() {
        assertEquals(0, MapsParser.parse("").objects().size());
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            char[] chars = new char[random.nextInt(300)];
            for (int c = 0; c < chars.length; c++) {
                chars[c] = "0123456789abcdef- /rwxp\n:()".charAt(random.nextInt(27));
            }
            MapsParser.parse(new String(chars));
        }
        String cut = MAPS.substring(0, 40);
        assertEquals(0, MapsParser.parse(cut).objects().size());
    }
}
