package dev.profguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.profguard.it.ScanCommandTest.client;
import static dev.profguard.it.ScanCommandTest.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scan --format sarif}, checked against the SARIF 2.1.0 JSON schema with a JSON Schema
 * library; {@link #valid} does the same for {@code check --format sarif} (FleetTest).
 */
class SarifReportTest extends JvmTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        try (InputStream in = SarifReportTest.class.getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    /** The log, after asserting that it is valid SARIF 2.1.0. */
    static JsonNode valid(String sarif) throws Exception {
        if (schema == null) {
            loadSchema();
        }
        JsonNode log = JSON.readTree(sarif);
        Set<ValidationMessage> errors = schema.validate(log);
        assertTrue(errors.isEmpty(), errors + "\n" + sarif);
        return log;
    }

    @Test
    void oneResultPerFindingWithRulesLevelsAndNestedPaths() throws Exception {
        Path release = Files.createDirectories(dir.resolve("release"));
        Files.write(release.resolve("libfast.so"), client());
        Files.write(release.resolve("app.jar"), zip("BOOT-INF/lib/dep.jar", zip("native/lib fast.so", client())));
        Files.writeString(release.resolve("session.mtuner"), "capture");
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, "--format", "sarif", "release");
        assertEquals(1, result.status(), result.toString());
        JsonNode log = valid(result.stdout());
        assertEquals("2.1.0", log.get("version").asText());
        JsonNode run = log.get("runs").get(0);
        assertEquals("profguard", run.get("tool").get("driver").get("name").asText());
        JsonNode rule = run.get("tool").get("driver").get("rules").get(0);
        assertEquals("mtuner-client", rule.get("id").asText());
        assertTrue(rule.get("shortDescription").get("text").asText().contains("MTuner"), rule.toString());
        assertTrue(rule.get("help").get("text").asText().startsWith("Remove the library"), rule.toString());

        List<String> uris = new ArrayList<>();
        List<String> levels = new ArrayList<>();
        for (JsonNode each : run.get("results")) {
            assertEquals("mtuner-client", each.get("ruleId").asText());
            assertEquals(0, each.get("ruleIndex").asInt());
            JsonNode location = each.get("locations").get(0).get("physicalLocation").get("artifactLocation");
            assertEquals("%SRCROOT%", location.get("uriBaseId").asText());
            uris.add(location.get("uri").asText());
            levels.add(each.get("level").asText());
        }
        assertEquals(List.of("release/app.jar!/BOOT-INF/lib/dep.jar!/native/lib%20fast.so", "release/libfast.so",
                "release/session.mtuner"), uris);
        assertEquals(List.of("error", "error", "warning"), levels);
        assertTrue(run.get("invocations").get(0).get("executionSuccessful").asBoolean());
        assertEquals(1, run.get("invocations").get(0).get("exitCode").asInt());
    }

    @Test
    void cleanAndNotInspectedRunsAreValidWithTheirExitStatus() throws Exception {
        Files.write(dir.resolve("libbenign.so"), ScanCommandTest.benign());
        ScanCommandTest.Result clean = ScanCommandTest.scan(dir, "--format", "sarif", "libbenign.so");
        assertEquals(0, clean.status(), clean.toString());
        JsonNode cleanLog = valid(clean.stdout());
        assertEquals(0, cleanLog.get("runs").get(0).get("results").size());

        Files.writeString(dir.resolve("fake.jar"), "no zip");
        ScanCommandTest.Result fake = ScanCommandTest.scan(dir, "--format", "sarif", "fake.jar",
                dir.resolve("libbenign.so").toString());
        assertEquals(2, fake.status(), fake.toString());
        JsonNode invocation = valid(fake.stdout()).get("runs").get(0).get("invocations").get(0);
        assertFalse(invocation.get("executionSuccessful").asBoolean());
        assertEquals(2, invocation.get("exitCode").asInt());
        JsonNode notification = invocation.get("toolExecutionNotifications").get(0);
        assertEquals("error", notification.get("level").asText());
        assertTrue(notification.get("message").get("text").asText().startsWith("profguard: cannot inspect fake.jar: "),
                notification.toString());
    }

    /** The check itself can fail: a log that breaks the schema is caught. */
    @Test
    void theSchemaCatchesAnInvalidLog() throws Exception {
        Files.write(dir.resolve("libfast.so"), client());
        ScanCommandTest.Result result = ScanCommandTest.scan(dir, "--format", "sarif", "libfast.so");
        ObjectNode log = (ObjectNode) JSON.readTree(result.stdout());
        ((ObjectNode) log.get("runs").get(0).get("results").get(0)).put("level", "fatal");
        assertFalse(schema.validate(log).isEmpty());
        log.remove("version");
        assertFalse(schema.validate(log).isEmpty());
    }
}
