package dev.profguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.profguard.it.ScanCommandTest.benign;
import static dev.profguard.it.ScanCommandTest.client;
import static dev.profguard.it.ScanCommandTest.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The profguard Maven plugin run by a real {@code mvn} over sample projects the test writes.
 * Offline ({@code -o}): a private local repository holds the plugin, the agent and the sample
 * dependencies (never ~/.m2); Maven's own plugins come from the local repository the build
 * filled, read through a {@code file:} repository, the one protocol allowed offline.
 */
class ScanPluginTest {
    private static final String VERSION = System.getProperty("profguard.it.version");
    private static final Path ROOT = Path.of(System.getProperty("profguard.it.root"));
    @TempDir
    static Path work;
    private static Path repo;
    private static Path settings;

    record Build(int status, String log) {
    }

    @BeforeAll
    static void privateRepository() throws Exception {
        repo = Files.createDirectories(work.resolve("repo"));
        install("dev.profguard", "profguard-parent", VERSION, ROOT.resolve("pom.xml"), null);
        install("dev.profguard", "profguard-agent", VERSION, ROOT.resolve("agent/pom.xml"), AgentJarTest.SHADED); // the Maven artifact
        install("dev.profguard", "profguard-maven-plugin", VERSION, ROOT.resolve("maven-plugin/pom.xml"),
                Path.of(System.getProperty("profguard.it.pluginJar")));
        // The parent imports JUnit's BOM: its pom is part of the plugin's model.
        String junit = version("junit.version");
        Path bom = Path.of(System.getProperty("profguard.it.localRepository"),
                "org/junit/junit-bom/" + junit + "/junit-bom-" + junit + ".pom");
        install("org.junit", "junit-bom", junit, bom, null);
        // What the samples depend on: a JNI jar carrying the client (gcc-built stand-in), a clean one.
        dependency("native-client", zip("native/linux-x86_64/libfast.so", client(), "native/linux-aarch64/libfast.so", benign()));
        dependency("native-clean", zip("native/linux-x86_64/libfast.so", benign()));
        String built = Path.of(System.getProperty("profguard.it.localRepository")).toUri().toString();
        String repository = "<id>central</id><url>" + built + "</url><releases><checksumPolicy>ignore</checksumPolicy>"
                + "</releases><snapshots><enabled>false</enabled></snapshots>";
        settings = Files.writeString(work.resolve("settings.xml"), "<settings><profiles><profile><id>built</id>"
                + "<repositories><repository>" + repository + "</repository></repositories>"
                + "<pluginRepositories><pluginRepository>" + repository + "</pluginRepository></pluginRepositories>"
                + "</profile></profiles><activeProfiles><activeProfile>built</activeProfile></activeProfiles></settings>");
    }

    private static void install(String group, String artifact, String version, Path pom, Path jar) throws Exception {
        Path at = Files.createDirectories(repo.resolve(group.replace('.', '/') + "/" + artifact + "/" + version));
        Files.copy(pom, at.resolve(artifact + "-" + version + ".pom"));
        if (jar != null) {
            Files.copy(jar, at.resolve(artifact + "-" + version + ".jar"));
        }
    }

    private static void dependency(String artifact, byte[] jar) throws Exception {
        Path file = work.resolve(artifact + ".jar");
        Files.write(file, jar);
        Path pom = Files.writeString(work.resolve(artifact + ".pom"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                + "<modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>" + artifact
                + "</artifactId><version>1.0</version></project>");
        install("com.example", artifact, "1.0", pom, file);
    }

    /** A version the root pom sets, so that the sample uses the plugins this build has already used. */
    private static String version(String property) throws Exception {
        Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)<").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), property);
        return m.group(1);
    }

    private static String pluginVersion(String artifact) throws Exception {
        Matcher m = Pattern.compile("<artifactId>" + artifact + "</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), artifact);
        return m.group(1);
    }

    /** A jar project with one class and the given dependencies (artifactId, scope, ...). */
    private static Path project(String name, String configuration, String... dependencies) throws Exception {
        Path dir = Files.createDirectories(work.resolve(name + "/src/main/java/demo")).getParent().getParent().getParent().getParent();
        Files.writeString(dir.resolve("src/main/java/demo/App.java"), "package demo;\npublic class App {\n}\n");
        StringBuilder deps = new StringBuilder();
        for (int i = 0; i < dependencies.length; i += 2) {
            deps.append("<dependency><groupId>com.example</groupId><artifactId>").append(dependencies[i])
                    .append("</artifactId><version>1.0</version><scope>").append(dependencies[i + 1]).append("</scope></dependency>");
        }
        StringBuilder plugins = new StringBuilder();
        for (String standard : List.of("maven-resources-plugin", "maven-compiler-plugin", "maven-surefire-plugin", "maven-jar-plugin")) {
            plugins.append("<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>").append(standard)
                    .append("</artifactId><version>").append(pluginVersion(standard)).append("</version></plugin>");
        }
        Files.writeString(dir.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                + "<modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>" + name
                + "</artifactId><version>1.0</version><packaging>jar</packaging>"
                + "<properties><maven.compiler.release>17</maven.compiler.release>"
                + "<project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>"
                + "<dependencies>" + deps + "</dependencies><build><plugins>" + plugins
                + "<plugin><groupId>dev.profguard</groupId><artifactId>profguard-maven-plugin</artifactId><version>"
                + VERSION + "</version>" + configuration
                + "<executions><execution><goals><goal>scan</goal></goals></execution></executions></plugin>"
                + "</plugins></build></project>");
        return dir;
    }

    private static Build mvn(Path project, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-o", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repo, "-Daether.offline.protocols=file", "-DskipTests", "verify"));
        command.addAll(List.of(extra));
        Path log = Files.createTempFile(work, "mvn", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", Jdk.all().findFirst().orElseThrow().home().toString());
        builder.environment().remove("MAVEN_OPTS");
        Process process = builder.start();
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), "mvn did not end");
        return new Build(process.exitValue(), Files.readString(log));
    }

    @Test
    void failsTheBuildWithTheClientInADependencyAndPassesACleanOne() throws Exception {
        Path dirty = project("dirty", "", "native-client", "runtime");
        Build failed = mvn(dirty);
        assertEquals(1, failed.status(), failed.log());
        String dependencyJar = repo.resolve("com/example/native-client/1.0/native-client-1.0.jar").toString();
        assertTrue(failed.log().contains("[ERROR] profguard: found MTuner's client (rmem) (rule mtuner-client, strong): "
                + dependencyJar + "!/native/linux-x86_64/libfast.so defines rmemInit"), failed.log());
        assertTrue(failed.log().contains("profguard: the build would ship 1 strong and 0 weak finding(s)"), failed.log());
        assertTrue(failed.log().contains("profguard: scanned 2 files"), "the project's jar and the dependency: " + failed.log());
        JsonNode sarif = new ObjectMapper().readTree(dirty.resolve("target/profguard-scan.sarif").toFile());
        try (InputStream schema = getClass().getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
            assertEquals(Set.of(), JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema).validate(sarif));
        }
        assertEquals(1, sarif.get("runs").get(0).get("results").size());

        JsonNode json = new ObjectMapper().readTree(dirty.resolve("target/profguard-scan.json").toFile());
        assertEquals("found", json.get("status").asText());
        assertEquals(dependencyJar + "!/native/linux-x86_64/libfast.so", json.get("findings").get(0).get("path").asText());

        // Configurable: failOn=never reports and passes.
        Build reported = mvn(dirty, "-Dprofguard.failOn=never");
        assertEquals(0, reported.status(), reported.log());
        assertTrue(reported.log().contains("[ERROR] profguard: found MTuner's client"), reported.log());

        // The client in the project's own jar, named by its path in the project (so SARIF places it).
        Path own = project("own", "");
        Files.createDirectories(own.resolve("src/main/resources/native"));
        Files.write(own.resolve("src/main/resources/native/libfast.so"), client());
        Build ownFailed = mvn(own);
        assertEquals(1, ownFailed.status(), ownFailed.log());
        JsonNode ownResult = new ObjectMapper().readTree(own.resolve("target/profguard-scan.sarif").toFile())
                .get("runs").get(0).get("results").get(0);
        JsonNode artifact = ownResult.get("locations").get(0).get("physicalLocation").get("artifactLocation");
        assertEquals("target/own-1.0.jar!/native/libfast.so", artifact.get("uri").asText(), ownResult.toString());
        assertEquals("%SRCROOT%", artifact.get("uriBaseId").asText());

        // Clean: a clean JNI dependency, and the client only as a test dependency, which does not ship.
        Path clean = project("clean", "", "native-clean", "compile", "native-client", "test");
        Build passed = mvn(clean);
        assertEquals(0, passed.status(), passed.log());
        assertTrue(Pattern.compile("\\[INFO] profguard: scanned 2 files and \\d+ archive members: 0 findings, 0 not inspected\n")
                .matcher(passed.log()).find(), passed.log());
        assertTrue(Files.isRegularFile(clean.resolve("target/profguard-scan.sarif")));
    }
}
