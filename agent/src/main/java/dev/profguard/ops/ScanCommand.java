package dev.profguard.ops;

import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;
import dev.profguard.scan.Scan;
import dev.profguard.scan.ScanReports;
import dev.profguard.scan.ScanResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scan [--rules FILE] [--format text|json|sarif] PATH...}: the build gate's command line.
 * The scan itself (files, directories, archives, container images) is {@link Scan}; the reports
 * are {@link ScanReports}. Exit status 0 clean, 1 found, 2 something could not be inspected (or
 * bad arguments).
 */
final class ScanCommand {
    static final String USAGE = "java -jar profguard-agent.jar scan [--rules FILE] [--format text|json|sarif] PATH...";

    private ScanCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String rulesFile = null;
        String format = "text";
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
                } else if (List.of("text", "json", "sarif").contains(value)) {
                    format = value;
                } else {
                    return usage(err, "--format is text, json or sarif, not '" + value + "'");
                }
            } else if (arg.equals("--")) {
                for (i++; i < args.size(); i++) {
                    paths.add(Path.of(args.get(i)));
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
        ScanResult result;
        try (Scan scan = new Scan(rules)) {
            for (Path path : paths) {
                scan.scan(path);
            }
            result = scan.result();
        }
        switch (format) {
            case "json" -> out.println(ScanReports.json(result, Cli.version()));
            case "sarif" -> out.println(ScanReports.sarif(result, rules, Cli.version(), Path.of("")));
            default -> ScanReports.text(result, out);
        }
        return result.status();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("profguard: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }
}
