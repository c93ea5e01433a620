package dev.profguard.scan;

import dev.profguard.detect.Finding;
import dev.profguard.log.Json;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One SARIF 2.1.0 log of one profguard run, as {@code scan} and {@code check} write it: a rule per
 * profguard rule (and one for any other rule id a finding carries), a result per finding, and what
 * could not be inspected as tool execution notifications. What each command says and where it
 * places a finding is the command's; the shape is here. Field names and nesting: the OASIS SARIF
 * 2.1.0 specification, checked against its schema in {@code it-tests} ({@code SarifReportTest}).
 */
public final class SarifLog {
    /** Where the SARIF 2.1.0 schema is published (SchemaStore's copy of the OASIS schema). */
    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

    /** What a rule says, given who it is about (its profiler, or its id when it names none). */
    public interface Wording {
        RuleText of(String who);
    }

    /** A rule's texts: a line, a paragraph, and what to do about a result of it. */
    public record RuleText(String shortDescription, String fullDescription, String help) {
    }

    private final Wording wording;
    private final List<String> ruleIds = new ArrayList<>();
    private final List<Map<String, Object>> rules = new ArrayList<>();
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final List<Map<String, Object>> notifications = new ArrayList<>();

    public SarifLog(RuleSet ruleSet, Wording wording) {
        this.wording = wording;
        for (Rule rule : ruleSet.rules()) {
            ruleIndex(rule.id(), rule.profiler());
        }
    }

    /** One result for {@code finding}: its rule, the level the caller's verdict gives it, where it is. */
    public void result(Finding finding, String level, String message, List<Map<String, Object>> locations,
                       Map<String, Object> properties) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("ruleId", finding.rule());
        item.put("ruleIndex", ruleIndex(finding.rule(), finding.profiler()));
        item.put("level", level);
        item.put("message", Map.of("text", message));
        item.put("locations", locations);
        item.put("properties", properties);
        results.add(item);
    }

    /** What could not be inspected, or anything else the run should say beside its results. */
    public void notification(String level, String message, List<Map<String, Object>> locations) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("level", level);
        item.put("message", Map.of("text", message));
        item.put("locations", locations);
        notifications.add(item);
    }

    /**
     * The log as one line of JSON.
     *
     * @param successful        false when something could not be inspected
     * @param originalUriBaseIds what relative artifact URIs are relative to, or null when there are none
     */
    public String write(String version, int exitCode, boolean successful, Map<String, Object> originalUriBaseIds) {
        Map<String, Object> invocation = new LinkedHashMap<>();
        invocation.put("executionSuccessful", successful);
        invocation.put("exitCode", exitCode);
        invocation.put("toolExecutionNotifications", notifications);
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "profguard");
        driver.put("version", version);
        driver.put("rules", rules);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        if (originalUriBaseIds != null) {
            run.put("originalUriBaseIds", originalUriBaseIds);
        }
        run.put("invocations", List.of(invocation));
        run.put("results", results);
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("$schema", SCHEMA);
        log.put("version", "2.1.0");
        log.put("runs", List.of(run));
        return Json.write(log);
    }

    /** A location in a file: an absolute path as a file URI, a relative one against {@code %SRCROOT%}. */
    public static Map<String, Object> physical(String path) {
        Map<String, Object> artifact = new LinkedHashMap<>();
        String shown = path == null ? "" : path;
        if (shown.startsWith("/")) {
            artifact.put("uri", fileUri(shown));
        } else {
            artifact.put("uri", encode(shown));
            artifact.put("uriBaseId", "%SRCROOT%");
        }
        return Map.of("artifactLocation", artifact);
    }

    public static String fileUri(String absolute) {
        return "file://" + encode(absolute);
    }

    /** Percent-encodes what a URI path may not hold (RFC 3986), keeping '/' and the '!' of nested paths. */
    static String encode(String path) {
        StringBuilder out = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    /** The rule's index in tool.driver.rules, added on first sight when the rule set does not hold it. */
    private int ruleIndex(String id, String profiler) {
        int index = ruleIds.indexOf(id);
        if (index >= 0) {
            return index;
        }
        RuleText text = wording.of(profiler == null ? id : profiler);
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", id);
        rule.put("name", "NativeProfilerClient");
        rule.put("shortDescription", Map.of("text", text.shortDescription()));
        rule.put("fullDescription", Map.of("text", text.fullDescription()));
        String help = text.help();
        rule.put("help", Map.of("text", help, "markdown", "**" + help + "**"));
        rule.put("defaultConfiguration", Map.of("level", "error"));
        ruleIds.add(id);
        rules.add(rule);
        return ruleIds.size() - 1;
    }
}
