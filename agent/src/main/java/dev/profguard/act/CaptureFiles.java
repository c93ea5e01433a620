package dev.profguard.act;

import dev.profguard.config.Config;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.Finding;
import dev.profguard.detect.OpenFile;
import dev.profguard.detect.ProcessView;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The capture data a client of this run left: files it holds open, and files in the working
 * directory (where it writes them, lazily) that are new or changed since a snapshot. A file is a
 * capture file by its header bytes or its name ({@link Evidence#dataFile}). What is found is
 * deleted unless {@code capture.files=keep}; either way each file is named with its size.
 */
final class CaptureFiles {
    private static final int MAX_LISTED = 10_000;

    private CaptureFiles() {
    }

    /** The working directory's regular files, each with size and modification time. */
    static Map<String, String> snapshot() {
        Map<String, String> files = new LinkedHashMap<>();
        File workDir = new File(Config.jvmProperty("user.dir", "."));
        String[] names = workDir.list();
        if (names == null) {
            return files;
        }
        for (int i = 0; i < names.length && i < MAX_LISTED; i++) {
            File file = new File(workDir, names[i]);
            if (file.isFile()) {
                files.put(file.getAbsolutePath(), file.length() + "@" + file.lastModified());
            }
        }
        return files;
    }

    /** Capture files open in the process now: path shown, with the link to read them through. */
    static Map<String, Path> open(ProcessView view, Evidence evidence) {
        Map<String, Path> open = new LinkedHashMap<>();
        List<OpenFile> files = view.openFiles().value();
        if (files == null) {
            return open;
        }
        for (OpenFile file : files) {
            String target = file.target();
            if (!target.startsWith("/") || target.endsWith(" (deleted)")) {
                continue;
            }
            if (isCapture(evidence.dataFile(Source.OPEN_FILE, target, file.link(), true, "open"))) {
                open.put(target, file.link());
            }
        }
        return open;
    }

    /** Capture files in the working directory that are not in {@code before}, or changed since. */
    static Map<String, Path> written(Map<String, String> before, Evidence evidence) {
        Map<String, Path> written = new LinkedHashMap<>();
        for (Map.Entry<String, String> file : snapshot().entrySet()) {
            if (!file.getValue().equals(before.get(file.getKey()))) {
                Path path = Path.of(file.getKey());
                if (isCapture(evidence.dataFile(Source.FILE, file.getKey(), path, false, "written"))) {
                    written.put(file.getKey(), path);
                }
            }
        }
        return written;
    }

    /**
     * Before the guard ends a JVM that holds a client: every capture file it holds open, and every
     * one in the working directory written since the process started, disposed of; the words for
     * the line, e.g. "capture file P (N bytes) deleted", or "no capture file was written".
     */
    static String cleanUp(ProcessView view, Evidence evidence, boolean delete) {
        Map<String, Path> files = open(view, evidence);
        long started = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        for (Map.Entry<String, String> file : snapshot().entrySet()) {
            String value = file.getValue();
            long modified = Long.parseLong(value.substring(value.indexOf('@') + 1));
            if (modified + 1000 >= started && !files.containsKey(file.getKey())) {
                Path path = Path.of(file.getKey());
                if (isCapture(evidence.dataFile(Source.FILE, file.getKey(), path, false, "written"))) {
                    files.put(file.getKey(), path);
                }
            }
        }
        if (files.isEmpty()) {
            return "no capture file was written";
        }
        StringBuilder words = new StringBuilder();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            words.append(words.length() == 0 ? "" : "; ").append("capture file ").append(file.getKey()).append(": ")
                    .append(dispose(file.getKey(), file.getValue(), delete));
        }
        return words.toString();
    }

    private static boolean isCapture(List<Finding> findings) {
        for (Finding finding : findings) {
            if (finding.strength() == Strength.STRONG || finding.detail().startsWith("a capture file")) {
                return true;
            }
        }
        return false;
    }

    /** "N bytes, deleted" or "N bytes, kept (capture.files=keep)"; the file is removed unless keep. */
    static String dispose(String shown, Path file, boolean delete) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException | RuntimeException e) {
            size = -1;
        }
        String bytes = size < 0 ? "size unknown" : size + " bytes";
        if (!delete) {
            return bytes + ", kept (capture.files=keep)";
        }
        Path named = Path.of(shown);
        if (Files.isSymbolicLink(named)) {
            // the data is where the link leads, outside what the guard disposes of by name: said so,
            // never "deleted" (red team round 21: links under the client's capture names)
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(named));
            } catch (IOException | RuntimeException e) {
                target = "somewhere unknown";
            }
            return bytes + " behind a symbolic link to " + target + ", kept there (a capture file written elsewhere)";
        }
        try {
            Files.deleteIfExists(Path.of(shown));
            return bytes + ", deleted";
        } catch (IOException | RuntimeException e) {
            return bytes + ", could not be deleted: " + e.getMessage();
        }
    }
}
