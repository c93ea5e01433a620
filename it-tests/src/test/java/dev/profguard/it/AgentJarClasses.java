package dev.profguard.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The class files of an agent jar as its packs hold them (dev.profguard.StartClasses writes
 * them), read here on their own, as the format says, not through the agent's reader: the agent
 * jar keeps only its entry class as an entry.
 */
final class AgentJarClasses {
    static final String LIST = "META-INF/profguard/start-classes";
    static final String START = "META-INF/profguard/start-classes.bin";
    static final String ALL = "META-INF/profguard/classes.bin";

    private AgentJarClasses() {
    }

    /** Every class of {@value #ALL}, by binary name, in the pack's order. */
    static Map<String, byte[]> all(Path agentJar) throws IOException {
        ByteBuffer pack = ByteBuffer.wrap(entry(agentJar, ALL));
        int indexLength = pack.getInt();
        ByteBuffer index = pack.slice(4, indexLength);
        int data = 4 + indexLength;
        Map<String, byte[]> classes = new LinkedHashMap<>();
        while (index.hasRemaining()) {
            byte[] name = new byte[index.getShort() & 0xffff];
            index.get(name);
            int offset = index.getInt();
            int deflated = index.getInt();
            byte[] classFile = new byte[index.getInt()];
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(pack.array(), data + offset, deflated);
                if (inflater.inflate(classFile) != classFile.length || !inflater.finished()) {
                    throw new IOException(new String(name, StandardCharsets.US_ASCII) + ": not its length in " + ALL);
                }
            } catch (DataFormatException e) {
                throw new IOException(e);
            } finally {
                inflater.end();
            }
            classes.put(new String(name, StandardCharsets.US_ASCII), classFile);
        }
        return classes;
    }

    /** Every class of {@value #START}, by binary name, in the pack's order. */
    static Map<String, byte[]> start(Path agentJar) throws IOException {
        ByteBuffer pack = ByteBuffer.wrap(entry(agentJar, START));
        Map<String, byte[]> classes = new LinkedHashMap<>();
        while (pack.hasRemaining()) {
            byte[] name = new byte[pack.getShort() & 0xffff];
            pack.get(name);
            byte[] classFile = new byte[pack.getInt()];
            pack.get(classFile);
            classes.put(new String(name, StandardCharsets.US_ASCII), classFile);
        }
        return classes;
    }

    /** The class file of a binary name from {@value #ALL}; fails when it is not there. */
    static byte[] classFile(Path agentJar, String binaryName) throws IOException {
        byte[] bytes = all(agentJar).get(binaryName);
        if (bytes == null) {
            throw new IOException(binaryName + " is not in " + ALL + " of " + agentJar);
        }
        return bytes;
    }

    static byte[] entry(Path jar, String name) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw new IOException(jar + " has no " + name);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            }
        }
    }
}
