package dev.profguard.scan;

import dev.profguard.act.Report;
import dev.profguard.detect.Finding;
import dev.profguard.detect.Strength;
import dev.profguard.log.Json;
import dev.profguard.rules.Rule;
import dev.profguard.rules.RuleSet;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A scan's result as text for people, JSON for tools, SARIF 2.1.0 for code-scanning dashboards. */
public final class ScanReports {
    /** Where the SARIF 2.1.0 schema is published (SchemaStore's copy of the OASIS schema). */
    public static final String SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

    private ScanReports() {
    }

    /** One line per finding and per thing not inspected, then the summary line. */
    public static void text(ScanResult result, PrintStream out) {
        for (ScanFinding each : result.findings()) {
            Finding finding = each.finding();
            out.println("profguard: found " + finding.profiler() + " (rule " + finding.rule() + ", "
                    + strength(finding) + "): " + finding.evidence()
                    + (each.layer() == null ? "" : " in image layer " + each.layer()));
        }
        for (Problem problem : result.problems()) {
            out.println("profguard: cannot inspect " + problem.path() + ": " + problem.reason());
        }
        for (Link link : result.links()) {
            if (!link.followed()) {
                out.println("profguard: symbolic link " + link.path() + " -> " + link.target() + " not followed: "
                        + link.note());
            }
        }
        String advice = result.status() == 1 ? "; remove the client before this ships"
                : result.status() == 2 ? "; what was not inspected may hide the client: fix or remove it, then scan again"
                : "";
        out.println("profguard: " + result.summary() + advice);
    }

    /**
     * The first fields of a JSON report whose exit status is 0 clean, 1 found, 2 not everything
     * inspected ({@code scan}, {@code check --all}): version, status, exit_status, message.
     */
    public static Map<String, Object> head(String version, int status, String summary) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", version);
        out.put("status", status == 0 ? "clean" : status == 1 ? "found" : "not_inspected");
        out.put("exit_status", status);
        out.put("message", "profguard: " + summary);
        return out;
    }

    public static String json(ScanResult result, String version) {
        Map<String, Object> out = head(version, result.status(), result.summary());
        out.put("files", result.files());
        out.put("archive_members", result.members());
        out.put("images", result.images());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (ScanFinding each : result.findings()) {
            Map<String, Object> item = new LinkedHashMap<>(Report.findingMap(each.finding()));
            item.put("layer", each.layer());
            findings.add(item);
        }
        out.put("findings", findings);
        List<Map<String, Object>> problems = new ArrayList<>();
        for (Problem problem : result.problems()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("path", problem.path());
            item.put("reason", problem.reason());
            problems.add(item);
        }
        out.put("not_inspected", problems);
        List<Map<String, Object>> links = new ArrayList<>();
        for (Link link : result.links()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("path", link.path());
            item.put("target", link.target());
            item.put("followed", link.followed());
            item.put("note", link.note());
            links.add(item);
        }
        out.put("links", links);
        return Json.write(out);
    }

    /**
     * SARIF 2.1.0: one result per finding (level error for strong evidence, warning for weak), a
     * rule per profguard rule with its help text, and what could not be inspected as tool
     * execution notifications (the run then reports {@code executionSuccessful: false}).
     * Paths relative to the working directory are relative URIs against {@code %SRCROOT%}, so that
     * a code-scanning service places them in the repository; a member of an archive keeps its
     * {@code !/} path.
     */
    public static String sarif(ScanResult result, RuleSet rules, String version, Path workingDirectory) {
        List<Rule> ruleList = new ArrayList<>(rules.rules());
        List<Map<String, Object>> ruleItems = new ArrayList<>();
        for (Rule rule : ruleList) {
            ruleItems.add(sarifRule(rule.id(), rule.profiler()));
        }
        List<String> ruleIds = new ArrayList<>();
        for (Rule rule : ruleList) {
            ruleIds.add(rule.id());
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (ScanFinding each : result.findings()) {
            Finding finding = each.finding();
            int index = ruleIds.indexOf(finding.rule());
            if (index < 0) {
                ruleIds.add(finding.rule());
                ruleItems.add(sarifRule(finding.rule(), finding.profiler()));
                index = ruleIds.size() - 1;
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("ruleId", finding.rule());
            item.put("ruleIndex", index);
            item.put("level", finding.strength() == Strength.STRONG ? "error" : "warning");
            item.put("message", Map.of("text", "found " + finding.profiler() + " (" + strength(finding) + "): "
                    + finding.evidence() + (each.layer() == null ? "" : " in image layer " + each.layer())));
            item.put("locations", List.of(location(finding.path())));
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("strength", strength(finding));
            properties.put("symbols", finding.symbols());
            if (each.layer() != null) {
                properties.put("layer", each.layer());
            }
            item.put("properties", properties);
            results.add(item);
        }
        List<Map<String, Object>> notifications = new ArrayList<>();
        for (Problem problem : result.problems()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("level", "error");
            item.put("message", Map.of("text", "profguard: cannot inspect " + problem.path() + ": " + problem.reason()));
            item.put("locations", List.of(location(problem.path())));
            notifications.add(item);
        }
        Map<String, Object> invocation = new LinkedHashMap<>();
        invocation.put("executionSuccessful", result.problems().isEmpty());
        invocation.put("exitCode", result.status());
        invocation.put("toolExecutionNotifications", notifications);

        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", "profguard");
        driver.put("version", version);
        driver.put("rules", ruleItems);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        run.put("originalUriBaseIds", Map.of("%SRCROOT%", Map.of("uri", fileUri(workingDirectory.toAbsolutePath() + "/"))));
        run.put("invocations", List.of(invocation));
        run.put("results", results);
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("$schema", SARIF_SCHEMA);
        log.put("version", "2.1.0");
        log.put("runs", List.of(run));
        return Json.write(log);
    }

    private static Map<String, Object> sarifRule(String id, String profiler) {
        String who = profiler == null ? id : profiler;
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", id);
        rule.put("name", "NativeProfilerClient");
        rule.put("shortDescription", Map.of("text", who + " in a file that is to ship"));
        rule.put("fullDescription", Map.of("text", "A native memory profiler client (" + who + ") is built into "
                + "the files, archives or container image a build produces. Loaded into a production JVM it "
                + "records every allocation with its stack and sends it away, at a large cost in memory and time."));
        String help = "Remove the library that carries " + who + " (and whatever brings it: a dependency, an "
                + "archive member, an image layer) from the build, then scan again. Strong findings are the "
                + "client's code (its exported symbols, or its marks where they are hidden); weak ones are names "
                + "or shapes that look like it and deserve a look.";
        rule.put("help", Map.of("text", help, "markdown", "**" + help + "**"));
        rule.put("defaultConfiguration", Map.of("level", "error"));
        return rule;
    }

    private static Map<String, Object> location(String path) {
        Map<String, Object> artifact = new LinkedHashMap<>();
        String shown = path == null ? "" : path;
        if (shown.startsWith("/")) {
            artifact.put("uri", fileUri(shown));
        } else {
            artifact.put("uri", encode(shown));
            artifact.put("uriBaseId", "%SRCROOT%");
        }
        return Map.of("physicalLocation", Map.of("artifactLocation", artifact));
    }

    private static String fileUri(String absolute) {
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

    private static String strength(Finding finding) {
        return finding.strength().name().toLowerCase(Locale.ROOT);
    }
}
