package dev.profguard.ops;

import dev.profguard.config.Config;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code java -jar profguard-agent.jar}: the check and scan commands, usage and version. */
public final class Cli {
    static final String USAGE = String.join("\n",
            "usage: java -javaagent:profguard-agent.jar[=key=value,...] ... (guards a JVM at start-up)",
            "       " + CheckCommand.USAGE,
            "       " + ScanCommand.USAGE,
            "       java -jar profguard-agent.jar --version | --help",
            "options: " + String.join(", ", Config.KEYS),
            "         (agent argument, system property profguard.<key>, or variable PROFGUARD_<KEY>)");

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("profguard " + version());
            out.println(USAGE);
            return 0;
        }
        if (args[0].equals("--version")) {
            out.println("profguard " + version());
            return 0;
        }
        if (args[0].equals("check")) {
            return CheckCommand.run(Arrays.asList(args).subList(1, args.length), out, err);
        }
        if (args[0].equals("scan")) {
            return ScanCommand.run(Arrays.asList(args).subList(1, args.length), out, err);
        }
        err.println("profguard: unknown command '" + args[0] + "'");
        err.println(USAGE);
        return 2;
    }

    public static String version() {
        String version = Cli.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
