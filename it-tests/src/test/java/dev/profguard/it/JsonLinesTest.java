package dev.profguard.it;

import dev.profguard.it.Jvm.Run;
import dev.profguard.it.app.LoadApp;
import dev.profguard.it.app.PauseApp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With log.format=json every line, at start-up and later, has the same fields: env, production and findings included. */
class JsonLinesTest extends JvmTest {
    private static final Pattern SHAPE = Pattern.compile("^\\{\"time\":\"[^\"]+\",\"level\":\"(WARN|ERROR|INFO)\","
            + "\"logger\":\"profguard\",\"message\":\"profguard: .*\",\"outcome\":(\"[a-z_]+\"|null),"
            + "\"env\":(\"[^\"]*\"|null),\"production\":(true|false),.*\"findings\":\\[(.*)\\]\\}$");

    private static Matcher shape(String line) {
        Matcher m = SHAPE.matcher(line);
        assertTrue(m.matches(), "not a complete profguard JSON line: " + line);
        return m;
    }

    @OnEachJdk
    void startUpAndLaterLinesCarryEnvProductionAndFindings(Jdk jdk) throws Exception {
        Run warned = Jvm.on(jdk, dir).agentArgs("env=staging,log.format=json").preload("libmtuner_standin.so").run();
        Matcher w = shape(warned.onlyProfguardLine());
        assertEquals("\"warn\"", w.group(2));
        assertEquals("\"staging\"", w.group(3));
        assertEquals("false", w.group(4));
        assertTrue(w.group(5).contains("\"rule\":\"mtuner-client\""), w.group(5));

        Run attach = Jvm.on(jdk, dir).attachOpen().agentArgs("env=production,log.format=json").run();
        Matcher a = shape(attach.onlyProfguardLine());
        assertEquals("\"attach_open\"", a.group(2));
        assertEquals("\"production\"", a.group(3));
        assertEquals("true", a.group(4));
        assertEquals("", a.group(5), "no findings: an empty list, not a missing field");

        Run gate = Jvm.on(jdk, dir).agentArgs("env=production,log.format=json")
                .main(LoadApp.class, "System.load", Jvm.fixture("libmtuner_standin.so").toString()).run();
        Matcher g = shape(gate.onlyProfguardLine());
        assertEquals("\"refuse_load\"", g.group(2));
        assertEquals("\"production\"", g.group(3));
        assertEquals("true", g.group(4));
        assertTrue(g.group(5).contains("\"rule\":\"mtuner-client\"") && g.group(5).contains("libmtuner_standin.so"),
                "the gate's line carries its findings: " + g.group(5));

        Run late = Jvm.on(jdk, dir).agentArgs("env=production,watch.interval=300ms,log.format=json")
                .preload("liblate-dlopen.so").env("LATE_DLOPEN", Jvm.fixture("libcompress-helper.so").toString())
                .env("LATE_DLOPEN_TRIGGER", dir.resolve("main-started").toString()).main(PauseApp.class, "3000").run();
        Matcher l = shape(late.onlyProfguardLine());
        assertEquals("\"neutralized_late\"", l.group(2));
        assertEquals("true", l.group(4));
        assertTrue(l.group(5).contains("libcompress-helper.so"), "the late finding itself: " + l.group(5));
    }
}
