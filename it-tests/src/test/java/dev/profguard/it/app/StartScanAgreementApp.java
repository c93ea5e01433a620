package dev.profguard.it.app;

import dev.profguard.detect.Finding;
import dev.profguard.detect.ProcFs;
import dev.profguard.detect.Scanner;
import dev.profguard.probe.NativeLoader;
import dev.profguard.probe.Probe;
import dev.profguard.rules.RuleSet;
import dev.profguard.rules.StartRules;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the probe's first look (C) and the full scan (Java) side by side on this very process, and
 * prints both: "C reasons" and "JAVA count findings". Started with the agent's probe=off, so that
 * the only probe is the one loaded here. With the argument "open-capture DIR", first holds open a
 * file whose first bytes are the client's capture header.
 */
public final class StartScanAgreementApp {
    private StartScanAgreementApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(HelloApp.MARKER);
        FileInputStream held = null;
        if (args.length == 2 && args[0].equals("open-capture")) {
            Path file = Path.of(args[1], "recording.bin");
            Files.write(file, new byte[]{0x00, 0x40, 0x01, 0x02, 0x02, 0x10, 0x20});
            held = new FileInputStream(file.toFile());
        }
        Probe probe = NativeLoader.load(null);
        int reasons = probe.startScan(NativeLoader.resource(StartRules.RESOURCE, 1 << 20));
        List<Finding> findings = new Scanner(RuleSet.load(null), probe).scan(ProcFs.self(probe.liveEnvironment()));
        System.out.println("C " + reasons);
        System.out.println("JAVA " + findings.size() + " " + findings);
        if (held != null) {
            held.close();
        }
    }
}
