package dev.profguard.scan;

import dev.profguard.detect.Finding;
import dev.profguard.rules.RuleSet;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One run of {@code scan} over files, directories, archives (zip/jar, tar, gzip'd tar) and
 * container images ({@code docker save} / {@code podman save} archives, OCI image layouts).
 * It finds the files and names them; {@link FileJudge} says what each one is.
 *
 * <p>Everything read is untrusted. Archive member names are labels only, never paths to write to;
 * a member the judge needs whole is copied to a fresh file of its own in a private (0700)
 * directory and deleted once judged; archives that nest too deep, hold too many members, or
 * inflate too much (in all, or for their compressed size) are reported, not followed.
 *
 * <p>Symbolic links: an argument that is a link is followed (the user named it). Inside a
 * directory, links are followed too, each directory read once (by device and inode) so that a
 * loop or a second name for a directory ends there; every link met is reported. A link that
 * leads nowhere holds no bytes and is reported, not failed. Inside archives and images, link
 * members are not followed: what they point to is a member of its own, judged where it is.
 *
 * <p>Anything that is not a regular file or directory (a FIFO, a device, a socket) is never
 * opened; it is reported as not inspected, as is anything unreadable or past a bound, and none of
 * it is ever counted as scanned.
 */
public final class Scan implements AutoCloseable {
    public static final int MAX_DEPTH = 6;
    public static final int MAX_ENTRIES = 200_000;
    public static final long MAX_ENTRY = 256L << 20;
    public static final long MAX_EXTRACTED = 2L << 30;
    public static final long MAX_RATIO = 200;
    public static final long MAX_INFLATED = 16L << 30;
    public static final long MAX_GZIP_RATIO = 200;
    public static final int MAX_FILES = 2_000_000;
    public static final int MAX_NAME = 64 << 10;
    public static final int MAX_JSON = 1 << 20;
    private static final long MAX_JSON_KEPT = 16L << 20;
    private static final List<String> ZIP_NAMES = List.of(".jar", ".war", ".ear", ".zip", ".aar", ".apk", ".jmod");
    private static final List<String> TAR_NAMES = List.of(".tar");
    private static final List<String> GZIP_NAMES = List.of(".tgz", ".gz");

    private enum Kind { ELF, ZIP, GZIP, TAR, OTHER }

    private final FileJudge judge;
    private final List<ScanFinding> findings = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private final List<Link> links = new ArrayList<>();
    private final Set<Object> directoriesRead = new HashSet<>();
    private long files;
    private long members;
    private long archiveLinks;
    private long images;
    private long removedByLayers;
    private long extracted;
    private Path scratch;
    private long scratchFiles;
    /** The image layer whose member is being scanned: findings wait for the image's manifest. */
    private Layer layer;

    public Scan(RuleSet rules) {
        this.judge = new FileJudge(rules);
    }

    public RuleSet rules() {
        return judge.rules();
    }

    /** Scans one argument: a file, directory, archive or image; a link to one is followed. */
    public void scan(Path argument) {
        scan(argument, argument.toString());
    }

    /** The same, naming it {@code shown} in findings (e.g. relative to a project's directory). */
    public void scan(Path argument, String shown) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(argument, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            problem(shown, "no such file or directory");
            return;
        } catch (IOException | RuntimeException e) {
            problem(shown, "cannot be read: " + describe(e));
            return;
        }
        if (attributes.isSymbolicLink()) {
            String target = readLink(argument);
            try {
                attributes = Files.readAttributes(argument, BasicFileAttributes.class);
            } catch (IOException | RuntimeException e) {
                links.add(new Link(shown, target, false, "leads nowhere"));
                problem(shown, "a symbolic link to " + target + ", which cannot be reached: " + describe(e));
                return;
            }
            links.add(new Link(shown, target, true, "argument"));
        }
        visit(argument, shown, attributes);
    }

    public ScanResult result() {
        return new ScanResult(List.copyOf(findings), List.copyOf(problems), List.copyOf(links), files, members,
                archiveLinks, images, removedByLayers);
    }

    private void visit(Path path, String shown, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            if (Files.isRegularFile(path.resolve("oci-layout"), LinkOption.NOFOLLOW_LINKS)
                    && Files.isRegularFile(path.resolve("index.json"), LinkOption.NOFOLLOW_LINKS)) {
                scanOciLayout(path, shown);
            } else {
                directory(path, shown, attributes);
            }
        } else if (attributes.isRegularFile()) {
            diskFile(path, shown);
        } else {
            problem(shown, kind(path) + ": not a regular file, so it was not opened; cannot be inspected");
        }
    }

    private void directory(Path dir, String shown, BasicFileAttributes attributes) {
        Object key = attributes.fileKey() != null ? attributes.fileKey() : dir.toAbsolutePath().normalize();
        if (!directoriesRead.add(key)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                children.add(child);
            }
        } catch (IOException | RuntimeException e) {
            problem(shown, "directory cannot be read: " + describe(e));
            return;
        }
        Collections.sort(children);
        for (Path child : children) {
            if (files + members > MAX_FILES) {
                problem(shown, "more than " + MAX_FILES + " files; the rest was not scanned");
                return;
            }
            String childShown = shown.endsWith("/") ? shown + child.getFileName() : shown + "/" + child.getFileName();
            BasicFileAttributes own;
            try {
                own = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                problem(childShown, "cannot be read: " + describe(e));
                continue;
            }
            if (!own.isSymbolicLink()) {
                visit(child, childShown, own);
                continue;
            }
            String target = readLink(child);
            BasicFileAttributes to;
            try {
                to = Files.readAttributes(child, BasicFileAttributes.class);
            } catch (IOException | RuntimeException e) {
                links.add(new Link(childShown, target, false, "leads nowhere (" + describe(e) + ")"));
                continue;
            }
            if (to.isDirectory() && to.fileKey() != null && directoriesRead.contains(to.fileKey())) {
                links.add(new Link(childShown, target, false, "a directory already scanned (a loop or a second name)"));
                continue;
            }
            links.add(new Link(childShown, target, true, null));
            visit(child, childShown, to);
        }
    }

    private void diskFile(Path file, String shown) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = new byte[FileJudge.HEAD];
            int n = in.readNBytes(head, 0, head.length);
            Kind kind = kind(head, n);
            int before = problems.size();
            switch (kind) {
                case ELF -> found(judge.judge(shown, head, n, file));
                case ZIP -> {
                    found(judge.judge(shown, head, n, null));
                    zip(file, shown, 1);
                }
                case GZIP -> {
                    found(judge.judge(shown, head, n, null));
                    gzip(join(head, n, in), shown, 1, true, null);
                }
                case TAR -> {
                    found(judge.judge(shown, head, n, null));
                    tar(join(head, n, in), shown, 1, true, null);
                }
                default -> {
                    found(judge.judge(shown, head, n, null));
                    notAnArchive(shown);
                }
            }
            if (!notInspected(shown, before)) {
                files++;
            }
        } catch (IOException | RuntimeException e) {
            problem(shown, "cannot be read: " + describe(e));
        }
    }

    /** Whether {@code shown} itself was reported as not inspected (then it does not count as scanned). */
    private boolean notInspected(String shown, int since) {
        for (int i = since; i < problems.size(); i++) {
            if (problems.get(i).path().equals(shown)) {
                return true;
            }
        }
        return false;
    }

    /**
     * One archive member, from its stream; {@code layers} is non-null when the archive may be an
     * image, whose tar members are its layers.
     */
    private void member(InputStream in, String shown, int depth, long compressed, Map<String, Layer> layers,
                        String key) throws IOException {
        byte[] head = new byte[FileJudge.HEAD];
        int n = in.readNBytes(head, 0, head.length);
        int before = problems.size();
        switch (kind(head, n)) {
            case ELF -> {
                Path copy = extract(head, n, in, compressed);
                try {
                    found(judge.judge(shown, head, n, copy));
                } finally {
                    Files.deleteIfExists(copy);
                }
            }
            case ZIP -> {
                found(judge.judge(shown, head, n, null));
                Path copy = extract(head, n, in, compressed);
                try {
                    zip(copy, shown, depth + 1);
                } finally {
                    Files.deleteIfExists(copy);
                }
            }
            case GZIP -> {
                found(judge.judge(shown, head, n, null));
                gzip(join(head, n, in), shown, depth + 1, false, layers == null ? null : newLayer(layers, key));
            }
            case TAR -> {
                found(judge.judge(shown, head, n, null));
                tar(join(head, n, in), shown, depth + 1, false, layers == null ? null : newLayer(layers, key));
            }
            default -> {
                found(judge.judge(shown, head, n, null));
                notAnArchive(shown);
            }
        }
        if (!notInspected(shown, before)) {
            members++;
        }
    }

    private static Layer newLayer(Map<String, Layer> layers, String key) {
        Layer layer = new Layer(digestLabel(key));
        layers.put(key, layer);
        return layer;
    }

    private void zip(Path file, String shown, int depth) {
        if (depth > MAX_DEPTH) {
            problem(shown, "archives nested deeper than " + MAX_DEPTH + "; not followed");
            return;
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            int count = 0;
            for (var entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (++count > MAX_ENTRIES) {
                    problem(shown, "more than " + MAX_ENTRIES + " entries; the rest was not scanned");
                    return;
                }
                if (entry.isDirectory() && entry.getSize() == 0) {
                    continue; // a name ending in '/' with bytes is judged: the JDK's resource look-up finds it
                }
                String memberShown = shown + "!/" + entry.getName();
                try (InputStream in = zip.getInputStream(entry)) {
                    member(in, memberShown, depth, Math.max(entry.getCompressedSize(), 1), null, null);
                } catch (ScanBounds e) {
                    problem(memberShown, e.getMessage());
                } catch (IOException | RuntimeException e) {
                    problem(memberShown, "member not readable: " + describe(e));
                }
            }
        } catch (IOException | RuntimeException e) {
            problem(shown, "not a readable archive: " + describe(e));
        }
    }

    /** A gzip stream: a tar inside is read as a tar; anything else as the one file it holds. */
    private void gzip(InputStream raw, String shown, int depth, boolean imageCandidate, Layer asLayer) {
        if (depth > MAX_DEPTH) {
            problem(shown, "archives nested deeper than " + MAX_DEPTH + "; not followed");
            return;
        }
        try {
            Counted compressed = new Counted(raw);
            InputStream inflated = new Inflated(new GZIPInputStream(compressed, 64 * 1024), compressed);
            byte[] head = new byte[FileJudge.HEAD];
            int n = inflated.readNBytes(head, 0, head.length);
            InputStream whole = join(head, n, inflated);
            if (TarReader.isTar(head, n)) {
                tar(whole, shown, depth, imageCandidate, asLayer);
            } else {
                String name = Layer.normalize(shown.substring(shown.lastIndexOf('/') + 1));
                String inner = name.toLowerCase(Locale.ROOT).endsWith(".tgz") ? name.substring(0, name.length() - 4) + ".tar"
                        : name.toLowerCase(Locale.ROOT).endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
                member(whole, shown + "!/" + inner, depth, -1, null, null);
            }
        } catch (ScanBounds e) {
            problem(shown, e.getMessage());
        } catch (IOException | RuntimeException e) {
            problem(shown, "not a readable archive: " + describe(e));
        }
    }

    private void tar(InputStream in, String shown, int depth, boolean imageCandidate, Layer asLayer) {
        if (depth > MAX_DEPTH) {
            problem(shown, "archives nested deeper than " + MAX_DEPTH + "; not followed");
            return;
        }
        Map<String, Layer> layers = imageCandidate ? new LinkedHashMap<>() : null;
        Map<String, byte[]> manifests = new HashMap<>();
        long kept = 0;
        Layer saved = layer;
        if (asLayer != null) {
            layer = asLayer;
        }
        try {
            TarReader tar = new TarReader(in, MAX_ENTRIES, MAX_NAME);
            for (TarReader.Entry entry; (entry = tar.next()) != null; ) {
                String memberShown = shown + "!/" + display(entry.name());
                String key = Layer.normalize(entry.name());
                if (asLayer != null && !asLayer.record(key, entry.type(), entry.link(), memberShown)) {
                    continue; // a whiteout: it deletes, it holds nothing
                }
                char type = entry.type();
                if (type == '2' || type == '1') {
                    archiveLinks++;
                    continue;
                }
                if (type == '3' || type == '4' || type == '5' || type == '6') {
                    continue; // devices, directories, FIFOs in an archive carry no bytes
                }
                if (!entry.isRegular()) {
                    problem(memberShown, "a tar member of type '" + type + "' (sparse or multi-volume): not inspected");
                    continue;
                }
                if (files + members > MAX_FILES) {
                    throw new ScanBounds("more than " + MAX_FILES + " files; the rest was not scanned");
                }
                InputStream content = tar.content();
                if (imageCandidate && entry.size() <= MAX_JSON && kept + entry.size() <= MAX_JSON_KEPT
                        && (key.endsWith(".json") || key.startsWith("blobs/"))) {
                    byte[] bytes = content.readNBytes((int) entry.size());
                    if (bytes.length > 0 && bytes[0] == '{' || key.endsWith(".json")) {
                        manifests.put(key, bytes);
                        kept += bytes.length;
                    }
                    content = new ByteArrayInputStream(bytes);
                }
                try {
                    member(content, memberShown, depth, -1, layers, key);
                } catch (ScanBounds e) {
                    problem(memberShown, e.getMessage());
                }
            }
            if (imageCandidate) {
                image(shown, layers, manifests);
            }
        } catch (IOException | RuntimeException e) {
            problem(shown, e instanceof ScanBounds ? e.getMessage() : "not a readable archive: " + describe(e));
            if (imageCandidate) {
                releaseUnordered(layers.values());
            }
        } finally {
            layer = saved;
        }
    }

    /** At the end of a tar that may be an image: apply its layers in the manifest's order. */
    private void image(String shown, Map<String, Layer> layers, Map<String, byte[]> manifests) {
        List<List<String>> orders = new ArrayList<>();
        try {
            byte[] docker = manifests.get("manifest.json");
            if (docker != null) {
                for (Object image : list(MiniJson.parse(utf8(docker)))) {
                    List<String> order = new ArrayList<>();
                    for (Object layerName : list(map(image).get("Layers"))) {
                        order.add(Layer.normalize((String) layerName));
                    }
                    orders.add(order);
                }
            } else if (manifests.containsKey("index.json")) {
                for (List<String> digests : ociImages(manifests.get("index.json"),
                        digest -> manifests.get(blobKey(digest)), 0)) {
                    List<String> order = new ArrayList<>();
                    for (String digest : digests) {
                        order.add(blobKey(digest));
                    }
                    orders.add(order);
                }
            }
        } catch (IOException | RuntimeException e) {
            problem(shown + "!/manifest.json", "an image manifest that cannot be read: " + describe(e)
                    + "; its layers were judged without their order");
            orders.clear();
        }
        Set<Layer> used = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Finding> released = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<String> order : orders) {
            List<Layer> ordered = new ArrayList<>();
            for (String key : order) {
                Layer found = layers.get(key);
                if (found == null) {
                    problem(shown + "!/" + key, "a layer the image's manifest names, which the archive does not hold");
                    continue;
                }
                ordered.add(found);
                used.add(found);
            }
            images++;
            apply(ordered, released);
        }
        List<Layer> rest = new ArrayList<>();
        for (Layer each : layers.values()) {
            if (!used.contains(each)) {
                rest.add(each);
            }
        }
        releaseUnordered(rest);
    }

    /** Findings of archives that turned out not to be layers of any image: all stand. */
    private void releaseUnordered(Iterable<Layer> layers) {
        for (Layer each : layers) {
            for (Layer.Pending pending : each.pending) {
                add(new ScanFinding(pending.finding(), null));
            }
            each.pending.clear();
        }
    }

    /** Reports the findings about files still in the image once its layers apply in order. */
    private void apply(List<Layer> ordered, Set<Finding> released) {
        for (int i = 0; i < ordered.size(); i++) {
            Layer own = ordered.get(i);
            for (Layer.Pending pending : own.pending) {
                if (Layer.survives(ordered, i, pending.key(), pending.ordinal())) {
                    if (released.add(pending.finding())) {
                        add(new ScanFinding(pending.finding(), own.label));
                    }
                    continue;
                }
                Finding kept = null;
                for (Map.Entry<String, Layer.HardLink> link : own.hardLinks.entrySet()) {
                    if (link.getValue().target().equals(pending.key())
                            && Layer.survives(ordered, i, link.getKey(), own.lastWrite.get(link.getKey()))) {
                        Finding f = pending.finding();
                        String path = f.path() != null && f.path().startsWith(pending.memberShown())
                                ? link.getValue().shown() + f.path().substring(pending.memberShown().length()) : f.path();
                        kept = new Finding(f.rule(), f.profiler(), f.strength(), f.source(), path, f.symbols(),
                                f.variable(), f.detail() + "; a hard link to " + pending.memberShown(), f.refuses());
                        break;
                    }
                }
                if (kept != null) {
                    if (released.add(pending.finding())) {
                        add(new ScanFinding(kept, own.label));
                    }
                } else {
                    removedByLayers++;
                }
            }
        }
    }

    /** An OCI image layout directory: index.json, then each manifest's layers in order. */
    private void scanOciLayout(Path dir, String shown) {
        List<List<String>> orders;
        try {
            orders = ociImages(small(dir.resolve("index.json")), digest -> {
                Path blob = blobPath(dir, digest);
                return Files.exists(blob, LinkOption.NOFOLLOW_LINKS) ? small(blob) : null;
            }, 0);
        } catch (IOException | RuntimeException e) {
            problem(shown + "/index.json", "an OCI index that cannot be read: " + describe(e));
            return;
        }
        for (List<String> digests : orders) {
            List<Layer> ordered = new ArrayList<>();
            for (String digest : digests) {
                Layer each = new Layer(digest);
                ordered.add(each);
                String blobShown;
                Path blob;
                try {
                    blob = blobPath(dir, digest);
                    blobShown = shown + "/" + dir.relativize(blob);
                } catch (IOException e) {
                    problem(shown, describe(e));
                    continue;
                }
                try {
                    if (!Files.readAttributes(blob, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                        problem(blobShown, "a layer blob that is not a regular file: not opened, cannot be inspected");
                        continue;
                    }
                } catch (IOException e) {
                    problem(blobShown, "a layer the index names, which cannot be read: " + describe(e));
                    continue;
                }
                try (InputStream in = Files.newInputStream(blob)) {
                    byte[] head = new byte[FileJudge.HEAD];
                    int n = in.readNBytes(head, 0, head.length);
                    int before = problems.size();
                    Kind kind = kind(head, n);
                    if (kind == Kind.GZIP) {
                        gzip(join(head, n, in), blobShown, 1, false, each);
                    } else if (kind == Kind.TAR) {
                        tar(join(head, n, in), blobShown, 1, false, each);
                    } else {
                        problem(blobShown, "a layer that is neither a tar nor a gzip'd tar (zstd?): cannot be inspected");
                    }
                    if (!notInspected(blobShown, before)) {
                        files++;
                    }
                } catch (IOException | RuntimeException e) {
                    problem(blobShown, "cannot be read: " + describe(e));
                }
            }
            images++;
            apply(ordered, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
    }

    /** The layer digests of each image an OCI index names (nested indexes followed, bounded). */
    /** A blob of an image by its digest, or null when absent. */
    private interface Blobs {
        byte[] get(String digest) throws IOException;
    }

    private static List<List<String>> ociImages(byte[] index, Blobs blobs, int nesting)
            throws IOException {
        if (index == null) {
            throw new IOException("index not found");
        }
        if (nesting > 4) {
            throw new IOException("indexes nested deeper than 4");
        }
        List<List<String>> images = new ArrayList<>();
        for (Object descriptor : list(map(MiniJson.parse(utf8(index))).get("manifests"))) {
            String digest = (String) map(descriptor).get("digest");
            byte[] blob = blobs.get(digest);
            if (blob == null) {
                throw new IOException("manifest " + digest + " is not in the layout");
            }
            Map<String, Object> manifest = map(MiniJson.parse(utf8(blob)));
            if (manifest.containsKey("manifests")) {
                images.addAll(ociImages(blob, blobs, nesting + 1));
                continue;
            }
            List<String> layers = new ArrayList<>();
            for (Object layerDescriptor : list(manifest.get("layers"))) {
                layers.add((String) map(layerDescriptor).get("digest"));
            }
            images.add(layers);
        }
        return images;
    }

    private static String blobKey(String digest) throws IOException {
        int colon = digest == null ? -1 : digest.indexOf(':');
        if (colon <= 0 || !digest.substring(0, colon).matches("[a-z0-9+._-]+")
                || !digest.substring(colon + 1).matches("[A-Za-z0-9=_-]+")) {
            throw new IOException("'" + digest + "' is not a digest");
        }
        return "blobs/" + digest.substring(0, colon) + "/" + digest.substring(colon + 1);
    }

    private static Path blobPath(Path dir, String digest) throws IOException {
        return dir.resolve(blobKey(digest));
    }

    /** "blobs/sha256/abc" as "sha256:abc"; any other member name as it is. */
    private static String digestLabel(String key) {
        String[] parts = key.split("/");
        return parts.length == 3 && parts[0].equals("blobs") ? parts[1] + ":" + parts[2] : key;
    }

    /** A small regular file (manifests): not followed if a link, at most MAX_JSON bytes. */
    private static byte[] small(Path file) throws IOException {
        if (!Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
            throw new IOException(file + " is not a regular file");
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_JSON + 1);
            if (bytes.length > MAX_JSON) {
                throw new ScanBounds(file + " is larger than " + MAX_JSON + " bytes");
            }
            return bytes;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IOException("expected a JSON object");
    }

    private static List<?> list(Object value) throws IOException {
        if (value instanceof List<?> list) {
            return list;
        }
        throw new IOException("expected a JSON array");
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Copies a member into a fresh private file, counting its real size as it inflates. */
    private Path extract(byte[] head, int n, InputStream rest, long compressed) throws IOException {
        Path copy = scratch().resolve("m" + (++scratchFiles));
        long written = 0;
        boolean done = false;
        try (OutputStream out = Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(head, 0, n);
            written = n;
            byte[] buffer = new byte[64 * 1024];
            for (int got; (got = rest.read(buffer)) > 0; ) {
                written += got;
                if (written > MAX_ENTRY || extracted + written > MAX_EXTRACTED
                        || compressed > 0 && written > (1L << 20) && written / compressed > MAX_RATIO) {
                    throw new ScanBounds("inflates beyond the bounds (more than " + (MAX_ENTRY >> 20) + " MiB, "
                            + MAX_RATIO + " times its compressed size, or " + (MAX_EXTRACTED >> 30)
                            + " GiB in all): a zip bomb is not followed");
                }
                out.write(buffer, 0, got);
            }
            done = true;
        } finally {
            extracted += written;
            if (!done) {
                Files.deleteIfExists(copy);
            }
        }
        return copy;
    }

    private Path scratch() throws IOException {
        if (scratch == null) {
            scratch = Files.createTempDirectory("profguard-scan-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return scratch;
    }

    @Override
    public void close() {
        if (scratch != null) {
            try (var leftovers = Files.list(scratch)) {
                for (Path file : (Iterable<Path>) leftovers::iterator) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException | RuntimeException e) {
                // a private temporary directory left behind; nothing else to do about it
            }
        }
    }

    private void found(List<Finding> list) {
        for (Finding finding : list) {
            if (finding.strength() == dev.profguard.detect.Strength.UNKNOWN) {
                problem(finding.path(), finding.detail());
            } else if (layer != null) {
                layer.found(finding);
            } else {
                add(new ScanFinding(finding, null));
            }
        }
    }

    private void add(ScanFinding finding) {
        findings.add(finding);
    }

    private void problem(String path, String reason) {
        problems.add(new Problem(path, reason));
    }

    /** A file named like an archive whose content is not one: it could hide anything. */
    private void notAnArchive(String shown) {
        String name = shown.substring(shown.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        for (List<String> names : List.of(ZIP_NAMES, TAR_NAMES, GZIP_NAMES)) {
            for (String suffix : names) {
                if (name.endsWith(suffix)) {
                    problem(shown, "named like an archive (" + suffix + ") but its content is not one: cannot be inspected");
                    return;
                }
            }
        }
    }

    private static Kind kind(byte[] head, int n) {
        if (FileJudge.isElf(head, n)) {
            return Kind.ELF;
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
            return Kind.ZIP;
        }
        // A jmod: "JM" 1 0, then a zip (ZipFile reads past data prepended to a zip); jlink copies
        // its native libraries into the runtime image it builds.
        if (n >= 8 && head[0] == 'J' && head[1] == 'M' && head[2] == 1 && head[3] == 0 && head[4] == 'P' && head[5] == 'K') {
            return Kind.ZIP;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Kind.GZIP;
        }
        if (TarReader.isTar(head, n)) {
            return Kind.TAR;
        }
        return Kind.OTHER;
    }

    private static InputStream join(byte[] head, int n, InputStream rest) {
        return new Joined(head, n, rest);
    }

    /** The head already read, then the rest; skips reach the rest (a file's skip is a seek). */
    private static final class Joined extends InputStream {
        private final byte[] head;
        private final int length;
        private final InputStream rest;
        private int at;

        Joined(byte[] head, int length, InputStream rest) {
            this.head = head;
            this.length = length;
            this.rest = rest;
        }

        @Override
        public int read() throws IOException {
            return at < length ? head[at++] & 0xff : rest.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            if (at < length) {
                int n = Math.min(count, length - at);
                System.arraycopy(head, at, buffer, offset, n);
                at += n;
                return n;
            }
            return rest.read(buffer, offset, count);
        }

        @Override
        public long skip(long n) throws IOException {
            if (at < length) {
                int k = (int) Math.min(n, length - at);
                at += k;
                return k;
            }
            return rest.skip(n);
        }
    }

    /** A member name for people: its bytes as UTF-8 where they are, escaped where not. */
    private static String display(String oneCharPerByte) {
        byte[] bytes = oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1);
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            StringBuilder out = new StringBuilder();
            for (byte b : bytes) {
                if (b >= 0x20 && b < 0x7f && b != '\\') {
                    out.append((char) b);
                } else {
                    out.append(String.format("\\x%02x", b & 0xff));
                }
            }
            return out.toString();
        }
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What a non-regular file is, for the message; found from its mode, never by opening it. */
    private static String kind(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode");
            return switch (mode & 0170000) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "not a regular file";
            };
        } catch (IOException | RuntimeException | LinkageError e) {
            return "not a regular file";
        }
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    /** Counts what is read from a compressed stream. */
    private static final class Counted extends FilterInputStream {
        long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Stops a gzip stream that inflates past the bounds (a gzip bomb). */
    private static final class Inflated extends FilterInputStream {
        private final Counted compressed;
        private long count;

        Inflated(InputStream in, Counted compressed) {
            super(in);
            this.compressed = compressed;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                if (count > MAX_INFLATED || count > (1L << 30) && count / Math.max(compressed.count, 1) > MAX_GZIP_RATIO) {
                    throw new ScanBounds("inflates beyond the bounds (more than " + (MAX_INFLATED >> 30) + " GiB, or "
                            + MAX_GZIP_RATIO + " times its compressed size): a gzip bomb is not followed");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping inflates all the same: count it through read.
            byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
            int got = read(buffer, 0, buffer.length);
            return Math.max(got, 0);
        }
    }
}
