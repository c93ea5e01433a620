package dev.profguard.ops;

import dev.profguard.rules.RuleSet;
import dev.profguard.rules.RulesException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code check --all [--every DURATION] [--textfile FILE] [--env TAG] [--rules FILE] [--format text|json|sarif]}:
 * every JVM of the host this process can see, each judged as {@code check --pid} judges it
 * ({@link Fleet}). Once: a table, JSON or SARIF ({@link FleetSarif}), exit status the worst of the round. With
 * {@code --every}: round after round until stopped, the textfile rewritten after each
 * ({@link FleetMetrics}), one summary line per round.
 */
final class FleetCommand {
    static final String USAGE = "java -jar profguard-agent.jar check --all [--every DURATION --textfile FILE] "
            + "[--env TAG] [--rules FILE] [--format text|json|sarif]";
    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,6})(ms|s|m|h)");

    private FleetCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String env = null;
        String rulesFile = null;
        String format = "text";
        long everyMillis = 0;
        Path textfile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--all")) {
                continue;
            }
            if (!List.of("--env", "--rules", "--format", "--every", "--textfile").contains(arg)) {
                return usage(err, arg.equals("--pid") ? "--pid and --all exclude each other" : "unknown argument '" + arg + "'");
            }
            String value = i + 1 < args.size() ? args.get(++i) : null;
            if (value == null) {
                return usage(err, arg + " needs a value");
            }
            switch (arg) {
                case "--env" -> env = value;
                case "--rules" -> rulesFile = value;
                case "--format" -> {
                    if (!List.of("text", "json", "sarif").contains(value)) {
                        return usage(err, "--format is text, json or sarif, not '" + value + "'");
                    }
                    format = value;
                }
                case "--every" -> {
                    everyMillis = millis(value);
                    if (everyMillis < 1000) {
                        return usage(err, "--every takes a duration of at least 1s, such as 30s, 5m or 1h, not '" + value + "'");
                    }
                }
                case "--textfile" -> {
                    textfile = Path.of(value);
                    Path parent = textfile.toAbsolutePath().getParent();
                    if (!Files.isDirectory(parent)) {
                        return usage(err, "--textfile: no directory " + parent + " to write " + textfile.getFileName() + " in");
                    }
                }
                default -> throw new AssertionError(arg);
            }
        }
        if (everyMillis > 0 && textfile == null) {
            return usage(err, "--every needs --textfile: the rounds are for the textfile collector");
        }
        if (everyMillis > 0 && format.equals("sarif")) {
            return usage(err, "--format sarif is one log of one run, not one per round: leave out --every");
        }
        RuleSet rules;
        try {
            rules = RuleSet.load(rulesFile == null ? null : Path.of(rulesFile));
        } catch (RulesException e) {
            return usage(err, "--rules: " + e.getMessage());
        }
        Fleet fleet = new Fleet(rules, env);
        while (true) {
            FleetResult result = fleet.round();
            if (textfile != null) {
                try {
                    FleetMetrics.write(textfile, FleetMetrics.render(result, System.currentTimeMillis()));
                } catch (IOException | RuntimeException e) {
                    err.println("profguard: could not write the textfile " + textfile + ": " + e.getMessage()
                            + "; the next round tries again");
                }
            }
            if (everyMillis == 0) {
                switch (format) {
                    case "json" -> out.println(FleetReports.json(result, Cli.version()));
                    case "sarif" -> out.println(FleetSarif.write(result.entries(), result.notes(), result.status(), rules, Cli.version()));
                    default -> FleetReports.table(result, out);
                }
                return result.status();
            }
            out.println(format.equals("json") ? FleetReports.json(result, Cli.version()) : "profguard: " + result.summary()
                    + String.format(" (round: %.3f s wall, %.2f s CPU, %d judgements kept)", result.nanos() / 1e9,
                    (double) result.cpuTicks() / HostProcess.TICKS_PER_SECOND, result.reused()));
            out.flush();
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result.status();
            }
        }
    }

    /** 500ms, 30s, 5m, 1h; -1 for anything else. */
    private static long millis(String value) {
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
        };
    }

    private static int usage(PrintStream err, String problem) {
        err.println("profguard: " + problem);
        err.println("usage: " + USAGE);
        return 2;
    }
}
