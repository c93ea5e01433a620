package dev.profguard.ops;

import dev.profguard.Agent;
import dev.profguard.config.OptionHelp;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar profguard-agent.jar}: the check and scan commands, help and version. */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: java -javaagent:profguard-agent.jar[=key=value,...] ... (guards a JVM at start-up)",
            "       " + CheckCommand.USAGE,
            "       " + FleetCommand.USAGE,
            "       " + ScanCommand.USAGE,
            "       java -jar profguard-agent.jar help | version | COMMAND --help",
            "Arguments take --opt VALUE or --opt=VALUE.");
    static final String CHECK_HELP = String.join("\n",
            "Inspects a running process through /proc/PID with the agent's detectors and rules.",
            "  --pid PID        the process to inspect (default: this one, i.e. what a JVM started here would get)",
            "  --env TAG        its environment tag (default: its own APP_ENV, ENVIRONMENT, DEPLOY_ENV)",
            "  --rules FILE     extra rules file (default: built-in rules only)",
            "  --format FORMAT  text, json or sarif (default: text)",
            "  --all            every JVM on the host this caller can see (by /proc), each judged as --pid judges it",
            "  --every DURATION with --all: a round every DURATION (30s, 5m, 1h) until stopped",
            "  --textfile FILE  with --all: node_exporter textfile-collector metrics, rewritten atomically each round",
            "Exit status: 0 clean, 1 a profiler client (or a sign of one) found, 2 could not inspect or bad arguments.",
            "With --all: 1 if found in any JVM, else 2 if any process could not be inspected, else 0.");
    static final String SCAN_HELP = String.join("\n",
            "Checks native libraries, directories and jars/zips (nested too) before they reach production.",
            "  --rules FILE     extra rules file (default: built-in rules only)",
            "  --format FORMAT  text, json or sarif (default: text)",
            "  PATH...          files, directories (symbolic links not followed), archives",
            "Exit status: 0 clean, 1 found, 2 unreadable input or bad arguments.");

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] given, PrintStream out, PrintStream err) {
        List<String> args = Arrays.asList(given);
        String command = args.isEmpty() ? "help" : args.get(0);
        switch (command) {
            case "help", "--help", "-h" -> {
                out.println("profguard " + version());
                out.println(USAGE);
                out.println("Agent options (agent argument key=value, system property profguard.<key>, or variable "
                        + "PROFGUARD_<KEY>, '.' as '_'):");
                out.print(OptionHelp.table());
                return 0;
            }
            case "version", "--version" -> {
                out.println("profguard " + version());
                return 0;
            }
            case "check", "scan" -> {
                List<String> rest = split(args.subList(1, args.size()));
                if (rest.contains("--help") || rest.contains("-h")) {
                    out.println("usage: " + (command.equals("check") ? CheckCommand.USAGE : ScanCommand.USAGE));
                    out.println(command.equals("check") ? CHECK_HELP : SCAN_HELP);
                    return 0;
                }
                return command.equals("check") ? CheckCommand.run(rest, out, err) : ScanCommand.run(rest, out, err);
            }
            default -> {
                err.println("profguard: unknown command '" + command + "': see 'java -jar profguard-agent.jar help'");
                err.println(USAGE);
                return 2;
            }
        }
    }

    /** {@code --opt=value} as {@code --opt value}; everything else as it is. */
    static List<String> split(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                out.add(arg.substring(0, eq));
                out.add(arg.substring(eq + 1));
            } else {
                out.add(arg);
            }
        }
        return out;
    }

    public static String version() {
        String version = Agent.version(Cli.class);
        return version == null ? "(development build)" : version;
    }
}
