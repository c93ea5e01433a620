package dev.profguard.it;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static dev.profguard.it.ScanCommandTest.STRONG;
import static dev.profguard.it.ScanCommandTest.benign;
import static dev.profguard.it.ScanCommandTest.client;
import static dev.profguard.it.ScanCommandTest.tool;
import static dev.profguard.it.ScanCommandTest.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Container images built by the test with the real {@code tar}: a {@code docker save} archive and
 * an OCI image layout, whose layers apply in order. A decoy client that a later layer deletes
 * (a whiteout, an opaque directory) is not in the image; a client that stays is found and named
 * with its layer; the same image without the deleting layer finds the decoy (the control).
 */
class ImageScanTest extends JvmTest {
    /** Three layers: the base with two decoys, one that deletes them, one that adds the client. */
    private int built;

    private List<Path> layers(boolean withDeletions) throws Exception {
        Path top = dir.resolve("layers" + ++built);
        Path base = Files.createDirectories(top.resolve("base/opt/app"));
        Files.write(base.resolve("libdecoy.so"), client());
        Files.write(base.resolve("libbenign.so"), benign());
        Files.createDirectories(top.resolve("base/opt/old"));
        Files.write(top.resolve("base/opt/old/libold.so"), client());
        Files.createSymbolicLink(base.resolve("libcurrent.so"), Path.of("libbenign.so"));
        Path deletes = Files.createDirectories(top.resolve("deletes/opt/app"));
        Files.createFile(deletes.resolve(".wh.libdecoy.so"));
        Files.createDirectories(top.resolve("deletes/opt/old"));
        Files.createFile(top.resolve("deletes/opt/old/.wh..wh..opq"));
        Files.write(top.resolve("deletes/opt/old/libnew.so"), benign());
        Path adds = Files.createDirectories(top.resolve("adds/opt/app/lib"));
        Files.write(adds.resolve("app.jar"), zip("native/libfast.so", client()));
        List<Path> tars = new ArrayList<>();
        for (String name : withDeletions ? List.of("base", "deletes", "adds") : List.of("base", "adds")) {
            Path tar = top.resolve(name + ".tar");
            tool(dir, "tar", "-cf", tar.toString(), "-C", top.resolve("" + name).toString(), ".");
            tars.add(tar);
        }
        return tars;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    /** {@code docker save}'s classic layout: manifest.json naming LAYER/layer.tar members in order. */
    private Path dockerSave(String name, List<Path> layers) throws Exception {
        Path root = Files.createDirectories(dir.resolve(name + "-root"));
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            String id = "layer" + i;
            Files.createDirectories(root.resolve(id));
            Files.copy(layers.get(i), root.resolve(id + "/layer.tar"));
            list.append(i == 0 ? "" : ",").append('"').append(id).append("/layer.tar\"");
        }
        Files.writeString(root.resolve("config.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        // manifest.json last, as docker writes it: the reader cannot rely on seeing it first.
        Files.writeString(root.resolve("manifest.json"),
                "[{\"Config\":\"config.json\",\"RepoTags\":[\"demo:1\"],\"Layers\":[" + list + "]}]");
        Path archive = dir.resolve(name + ".tar");
        List<String> command = new ArrayList<>(List.of("tar", "-cf", archive.toString(), "-C", root.toString()));
        for (int i = 0; i < layers.size(); i++) {
            command.add("layer" + i);
        }
        command.addAll(List.of("config.json", "manifest.json"));
        tool(dir, command.toArray(String[]::new));
        return archive;
    }

    /** An OCI image layout directory with gzip'd layers; {@code alsoDocker} adds manifest.json as docker 25 does. */
    private Path ociLayout(String name, List<Path> layers) throws Exception {
        Path root = Files.createDirectories(dir.resolve(name + "/blobs/sha256")).getParent().getParent();
        StringBuilder descriptors = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            byte[] blob = gzip(Files.readAllBytes(layers.get(i)));
            String digest = sha256(blob);
            Files.write(root.resolve("blobs/sha256/" + digest), blob);
            descriptors.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",")
                    .append("\"digest\":\"sha256:").append(digest).append("\",\"size\":").append(blob.length).append('}');
        }
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("blobs/sha256/" + sha256(config)), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
                + sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[" + descriptors + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("blobs/sha256/" + sha256(manifest)), manifest);
        Files.writeString(root.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + sha256(manifest)
                + "\",\"size\":" + manifest.length + "}]}");
        Files.writeString(root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return root;
    }

    @Test
    void aDockerSaveArchiveIsReadAsItsFinalFilesystem() throws Exception {
        Path image = dockerSave("image", layers(true));
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, image.getFileName().toString());
        assertEquals(1, result.status(), result.toString());
        assertTrue(result.stdout().startsWith(STRONG + "image.tar!/layer2/layer.tar!/./opt/app/lib/app.jar!/native/"
                + "libfast.so defines rmemInit"), result.stdout());
        assertTrue(result.stdout().contains("(file) in image layer layer2/layer.tar\n"), result.stdout());
        assertFalse(result.stdout().contains("libdecoy"), "deleted by a whiteout: " + result.stdout());
        assertFalse(result.stdout().contains("libold"), "hidden by an opaque directory: " + result.stdout());
        assertTrue(result.stdout().contains("(1 container image): 1 finding, 0 not inspected, "
                + "2 found only in files a later layer removed"), result.stdout());

        // docker save | gzip: the same image, the same answer.
        Files.write(dir.resolve("image.tar.gz"), gzip(Files.readAllBytes(image)));
        ScanCommandTest.Result gzipped = ScanCommandTest.scan(dir, "image.tar.gz");
        assertEquals(1, gzipped.status(), gzipped.toString());
        assertTrue(gzipped.stdout().contains("(file) in image layer layer2/layer.tar\n"), gzipped.stdout());
        assertFalse(gzipped.stdout().contains("libdecoy"), gzipped.stdout());

        Path control = dockerSave("control", layers(false));
        ScanCommandTest.Result found = ScanCommandTest.scan(dir, control.getFileName().toString());
        assertEquals(1, found.status(), found.toString());
        assertTrue(found.stdout().contains(STRONG + "control.tar!/layer0/layer.tar!/./opt/app/libdecoy.so defines rmemInit"),
                found.stdout());
        assertTrue(found.stdout().contains("libold.so"), found.stdout());
    }

    @Test
    void anOciLayoutIsReadLayerByLayerInItsOrder() throws Exception {
        List<Path> layers = layers(true);
        Path layout = ociLayout("oci", layers);
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, "oci");
        assertEquals(1, result.status(), result.toString());
        String addsDigest = sha256(gzip(Files.readAllBytes(layers.get(2))));
        assertTrue(result.stdout().startsWith(STRONG + "oci/blobs/sha256/" + addsDigest + "!/./opt/app/lib/app.jar!/native/"
                + "libfast.so defines rmemInit"), result.stdout());
        assertTrue(result.stdout().contains(" in image layer sha256:" + addsDigest + "\n"), result.stdout());
        assertFalse(result.stdout().contains("libdecoy"), result.stdout());

        // The same layout as one archive (docker 25's save writes OCI blobs and index.json).
        tool(dir, "tar", "-cf", "oci.tar", "-C", layout.toString(), ".");
        ScanCommandTest.Result tarred = ScanCommandTest.scan(dir, "oci.tar");
        assertEquals(1, tarred.status(), tarred.toString());
        assertTrue(tarred.stdout().contains(" in image layer sha256:" + addsDigest + "\n"), tarred.stdout());
        assertFalse(tarred.stdout().contains("libdecoy"), tarred.stdout());

        Path control = ociLayout("oci-control", layers(false).subList(0, 1));
        ScanCommandTest.Result found = ScanCommandTest.scan(dir, control.getFileName().toString());
        assertEquals(1, found.status(), found.toString());
        assertTrue(found.stdout().contains("libdecoy.so defines rmemInit"), found.stdout());
    }

    /** A hard link keeps the content its target's whiteout removes; the client is still in the image. */
    @Test
    void aHardLinkKeepsWhatAWhiteoutRemoves() throws Exception {
        Path base = Files.createDirectories(dir.resolve("hl/base/opt"));
        Files.write(base.resolve("libdecoy.so"), client());
        Files.createLink(base.resolve("libalias.so"), base.resolve("libdecoy.so"));
        Path deletes = Files.createDirectories(dir.resolve("hl/deletes/opt"));
        Files.createFile(deletes.resolve(".wh.libdecoy.so"));
        tool(dir, "tar", "-cf", "base.tar", "-C", base.getParent().toString(), "opt");
        tool(dir, "tar", "-cf", "deletes.tar", "-C", deletes.getParent().toString(), "opt");
        Path image = dockerSave("linked", List.of(dir.resolve("base.tar"), dir.resolve("deletes.tar")));
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, image.getFileName().toString());
        assertEquals(1, result.status(), result.toString());
        assertTrue(result.stdout().contains("libalias.so defines rmemInit"), result.stdout());
        assertTrue(result.stdout().contains("a hard link to"), result.stdout());
    }

    @Test
    void brokenImagesAreNotInspectedNotClean() throws Exception {
        Path layout = ociLayout("oci", layers(true));
        // A layer the index names is missing: said, exit 2.
        try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                if ((Files.readAllBytes(blob)[0] & 0xff) == 0x1f) {
                    Files.delete(blob);
                    break;
                }
            }
        }
        ScanCommandTest.Result missing = ScanCommandTest.scan(dir, "oci");
        assertTrue(missing.stdout().contains("profguard: cannot inspect oci/blobs/sha256/"), missing.stdout());
        assertTrue(missing.status() != 0, missing.toString());
        // A zstd (or any other) layer is not read: said, not clean.
        Path zstd = ociLayout("oci-zstd", List.of());
        byte[] blob = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0};
        String digest = sha256(blob);
        Files.write(zstd.resolve("blobs/sha256/" + digest), blob);
        String manifest = "{\"schemaVersion\":2,\"layers\":[{\"digest\":\"sha256:" + digest + "\"}]}";
        Files.writeString(zstd.resolve("blobs/sha256/" + sha256(manifest.getBytes())), manifest);
        Files.writeString(zstd.resolve("index.json"), "{\"manifests\":[{\"digest\":\"sha256:"
                + sha256(manifest.getBytes()) + "\"}]}");
        ScanCommandTest.Result unknown = ScanCommandTest.scan(dir, "oci-zstd");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.stdout().contains("a layer that is neither a tar nor a gzip'd tar"), unknown.stdout());
        // A digest that tries to leave the layout is refused, not followed.
        Files.writeString(zstd.resolve("index.json"), "{\"manifests\":[{\"digest\":\"sha256:../../../etc/passwd\"}]}");
        ScanCommandTest.Result escape = ScanCommandTest.scan(dir, "oci-zstd");
        assertEquals(2, escape.status(), escape.toString());
        assertTrue(escape.stdout().contains("is not a digest"), escape.stdout());
    }

    /** Member names that point outside (../, absolute) are labels: nothing is written there. */
    @Test
    void trickyMemberNamesAreLabelsOnly() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.write(src.resolve("libx.so"), client());
        tool(dir, "tar", "-cPf", "tricky.tar", "--transform", "s,^,../../../,", "-C", src.toString(), "libx.so");
        tool(dir, "tar", "-rPf", "tricky.tar", "--transform", "s,^,/tmp/profguard-abs-,", "-C", src.toString(), "libx.so");
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, "tricky.tar");
        assertEquals(1, result.status(), result.toString());
        assertTrue(result.stdout().contains(STRONG + "tricky.tar!/../../../libx.so defines"), result.stdout());
        assertTrue(result.stdout().contains(STRONG + "tricky.tar!//tmp/profguard-abs-libx.so defines"), result.stdout());
        assertFalse(Files.exists(Path.of("/tmp/profguard-abs-libx.so")));
        assertFalse(Files.exists(dir.getParent().getParent().resolve("libx.so")));
    }
}
