package dev.profguard.ops;

import dev.profguard.detect.BoundedFiles;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Evidence;
import dev.profguard.detect.Source;
import dev.profguard.detect.Strength;
import dev.profguard.log.Json;
import dev.profguard.act.Report;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code scan [--rules FILE] [--format text|json] PATH...}: checks files before they reach
 * production, with the agent's rules and library inspector: native libraries, directories
 * (symbolic links are not followed), and jars/zips including libraries nested in them at any depth
 * up to {@link #MAX_DEPTH}. Exit status 0 clean, 1 found, 2 unreadable input or bad arguments.
 *
 * <p>Archives are untrusted: entry names are labels only (never paths to write to), entries are
 * extracted to a private temporary directory with their real sizes counted as they inflate, and
 * an archive that nests too deep, holds too many entries, inflates too much in total or at too
 * high a ratio (a zip bomb) is reported as unreadable rather than followed.
 */
final class ScanCommand {
    static final String USAGE = "java -jar profguard-agent.jar scan [--rules FILE] [--format text|json] PATH...";
    static final int MAX_DEPTH = 4;
    static final int MAX_ENTRIES = 200_000;
    static final long MAX_ENTRY = 256L << 20;
    static final long MAX_EXTRACTED = 2L << 30;
    static final long MAX_RATIO = 200;
    static final int MAX_FILES = 2_000_000;

    private final Evidence evidence;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Map<String, Object>> unreadable = new ArrayList<>();
    private Path scratch;
    private long extracted;
    private long files;

    private ScanCommand(RuleSet rules) {
        this.evidence = new Evidence(rules, null);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String rulesFile = null;
        boolean json = false;
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--rules") || arg.equals("--format")) {
                if (i + 1 >= args.size()) {
                    return usage(err, arg + " needs a value");
                }
                String value = args.get(++i);
                if (arg.equals("--rules")) {
                    rulesFile = value;
                } else if (value.equals("text") || value.equals("json")) {
                    json = value.equals("json");
                } else {
                    return usage(err, "--format is text or json, not '" + value + "'");
                }
            } else if (arg.startsWith("--")) {
                return usage(err, "unknown argument '" + arg + "'");
            } else {
                paths.add(Path.of(arg));
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "no PATH to scan");
        }
        RuleSet rules;
        try {
            rules = RuleSet.load(rulesFile == null ? null : Path.of(rulesFile));
        } catch (RulesException e) {
            return usage(err, "--rules: " + e.getMessage());
        }
        ScanCommand scan = new ScanCommand(rules);
        try {
            for (Path path : paths) {
                scan.walk(path);
            }
        } finally {
            scan.deleteScratch();
        }
        return scan.report(out, json);
    }

    private void walk(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            unreadable(root.toString(), "no such file or directory");
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (++files > MAX_FILES) {
                        unreadable(root.toString(), "more than " + MAX_FILES + " files; the rest was not scanned");
                        return FileVisitResult.TERMINATE;
                    }
                    if (attributes.isRegularFile()) {
                        scanFile(file, file.toString(), 0);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    unreadable(file.toString(), BoundedFiles.describe(e));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            unreadable(root.toString(), BoundedFiles.describe(e));
        }
    }

    /** A file on disk or extracted from an archive; {@code shown} is how findings name it. */
    private void scanFile(Path file, String shown, int depth) {
        byte[] magic = new byte[4];
        int got;
        try (InputStream in = Files.newInputStream(file)) {
            got = in.readNBytes(magic, 0, 4);
        } catch (IOException | RuntimeException e) {
            unreadable(shown, BoundedFiles.describe(e));
            return;
        }
        boolean zip = got == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
        findings.addAll(evidence.file(Source.FILE, shown, file, "file")); // the one ladder, as for a process
        if (zip) {
            scanArchive(file, shown, depth + 1);
        }
    }

    private void scanArchive(Path archive, String shown, int depth) {
        if (depth > MAX_DEPTH) {
            unreadable(shown, "archives nested deeper than " + MAX_DEPTH + "; not followed");
            return;
        }
        try (ZipFile zip = new ZipFile(archive.toFile())) {
            int count = 0;
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (++count > MAX_ENTRIES) {
                    unreadable(shown, "more than " + MAX_ENTRIES + " entries; the rest was not scanned");
                    return;
                }
                if (!entry.isDirectory()) {
                    scanEntry(zip, entry, shown + "!/" + entry.getName(), depth);
                }
            }
        } catch (IOException | RuntimeException e) {
            unreadable(shown, "not a readable archive: " + BoundedFiles.describe(e));
        }
    }

    private void scanEntry(ZipFile zip, ZipEntry entry, String shown, int depth) throws IOException {
        Path temp = scratch().resolve("entry-" + depth);
        long written = 0;
        boolean cut = false;
        try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(temp)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                written += n;
                long compressed = Math.max(entry.getCompressedSize(), 1);
                if (written > MAX_ENTRY || extracted + written > MAX_EXTRACTED
                        || written > (1L << 20) && written / compressed > MAX_RATIO) {
                    cut = true;
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            unreadable(shown, "entry not readable: " + BoundedFiles.describe(e));
            return;
        }
        extracted += written;
        if (cut) {
            unreadable(shown, "inflates beyond the bounds (more than " + (MAX_ENTRY >> 20) + " MiB, "
                    + MAX_RATIO + " times its compressed size, or " + (MAX_EXTRACTED >> 30)
                    + " GiB in all): a zip bomb is not followed");
            Files.deleteIfExists(temp);
            return;
        }
        try {
            scanFile(temp, shown, depth);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Path scratch() throws IOException {
        if (scratch == null) {
            scratch = Files.createTempDirectory("profguard-scan-");
        }
        return scratch;
    }

    private void deleteScratch() {
        if (scratch != null) {
            try (var leftovers = Files.list(scratch)) {
                for (Path file : (Iterable<Path>) leftovers::iterator) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException | RuntimeException e) {
                // a private temporary directory left behind
            }
        }
    }

    private void unreadable(String path, String reason) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("path", path);
        item.put("reason", reason);
        unreadable.add(item);
    }

    private int report(PrintStream out, boolean json) {
        List<Finding> real = new ArrayList<>();
        for (Finding finding : findings) {
            if (finding.strength() == Strength.UNKNOWN) {
                unreadable(finding.path(), finding.detail());
            } else {
                real.add(finding);
            }
        }
        int status = !real.isEmpty() ? 1 : unreadable.isEmpty() ? 0 : 2;
        String summary = "scanned " + files + " files: " + real.size() + " findings, " + unreadable.size() + " unreadable";
        if (json) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (Finding finding : real) {
                items.add(Report.findingMap(finding));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("version", Cli.version());
            result.put("status", status == 0 ? "clean" : status == 1 ? "found" : "error");
            result.put("exit_status", status);
            result.put("message", "profguard: " + summary);
            result.put("findings", items);
            result.put("unreadable", unreadable);
            out.println(Json.write(result));
            return status;
        }
        for (Finding finding : real) {
            out.println("profguard: found " + finding.profiler() + " (rule " + finding.rule() + ", "
                    + finding.strength().name().toLowerCase(Locale.ROOT) + "): " + finding.evidence());
        }
        for (Map<String, Object> item : unreadable) {
            out.println("profguard: could not read " + item.get("path") + ": " + item.get("reason"));
        }
        out.println("profguard: " + summary);
        return status;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("profguard: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }
}
