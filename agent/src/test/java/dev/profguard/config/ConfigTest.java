package dev.profguard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsMatchTheReadme() throws ConfigException {
        Config c = Config.resolve(null, new Properties(), Map.of());
        assertNull(c.envTag());
        assertFalse(c.isProduction());
        assertEquals(Set.of("prod", "production", "prd", "live"), c.productionTags());
        assertEquals(Action.REFUSE, c.action());
        assertEquals(78, c.exitCode());
        assertNull(c.rulesFile());
        assertEquals(1000, c.watchIntervalMillis());
        assertEquals(0, c.healthPort());
        assertEquals(LogFormat.TEXT, c.logFormat());
        assertEquals(ProbeMode.AUTO, c.probe());
        assertTrue(c.deleteCaptureFiles(), "capture data is deleted unless capture.files=keep");
    }

    @Test
    void probeAndCaptureFiles() throws ConfigException {
        Config c = Config.resolve("probe=required,capture.files=delete", new Properties(), Map.of());
        assertEquals(ProbeMode.REQUIRED, c.probe());
        assertTrue(c.deleteCaptureFiles());
        assertEquals(ProbeMode.OFF, Config.resolve(null, new Properties(), Map.of("PROFGUARD_PROBE", "off")).probe());
        assertThrows(ConfigException.class, () -> Config.resolve("probe=maybe", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> Config.resolve("capture.files=shred", new Properties(), Map.of()));
    }

    @Test
    void agentArgumentBeatsPropertyBeatsVariable() throws ConfigException {
        Map<String, String> env = Map.of("PROFGUARD_ACTION", "warn", "PROFGUARD_EXIT_CODE", "70",
                "PROFGUARD_LOG_FORMAT", "json");
        Properties p = props("profguard.action", "neutralize", "profguard.exit.code", "71");
        Config c = Config.resolve("action=refuse", p, env);
        assertEquals(Action.REFUSE, c.action(), "agent argument wins");
        assertEquals(71, c.exitCode(), "system property beats variable");
        assertEquals(LogFormat.JSON, c.logFormat(), "variable beats default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "env=prod      |                 |                  | prod    | agent argument                     | true",
            "              | staging         |                  | staging | system property profguard.env      | false",
            "              |                 | LIVE             | LIVE    | environment variable PROFGUARD_ENV | true",
    })
    void envTagFromEachSource(String args, String property, String variable, String tag, String source,
                              boolean production) throws ConfigException {
        Properties p = property == null ? new Properties() : props("profguard.env", property);
        Map<String, String> env = variable == null ? Map.of() : Map.of("PROFGUARD_ENV", variable);
        Config c = Config.resolve(args, p, env);
        assertEquals(tag, c.envTag());
        assertEquals(source, c.envTagSource());
        assertEquals(production, c.isProduction());
    }

    @Test
    void envTagFallsBackToAppEnvThenEnvironmentThenDeployEnv() throws ConfigException {
        Config c = Config.resolve(null, new Properties(),
                Map.of("ENVIRONMENT", "prd", "DEPLOY_ENV", "dev", "APP_ENV", " "));
        assertEquals("prd", c.envTag());
        assertEquals("environment variable ENVIRONMENT", c.envTagSource());
        assertTrue(c.isProduction());
        assertEquals("dev", Config.resolve(null, new Properties(), Map.of("DEPLOY_ENV", "dev")).envTag());
        assertEquals("qa", Config.resolve("env=qa", new Properties(), Map.of("APP_ENV", "prod")).envTag());
    }

    @Test
    void productionTagsAreOwnList() throws ConfigException {
        Config c = Config.resolve("env=Live-EU,production=live-eu;live-us", new Properties(), Map.of());
        assertEquals(Set.of("live-eu", "live-us"), c.productionTags());
        assertTrue(c.isProduction(), "tags compare without case");
        Config v = Config.resolve(null, new Properties(), Map.of("PROFGUARD_PRODUCTION", "a,b", "APP_ENV", "prod"));
        assertFalse(v.isProduction(), "prod is not production when the list says otherwise");
    }

    @Test
    void durationsAndOtherValues() throws ConfigException {
        assertEquals(500, Config.resolve("watch.interval=500ms", new Properties(), Map.of()).watchIntervalMillis());
        assertEquals(2000, Config.resolve("watch.interval=2s", new Properties(), Map.of()).watchIntervalMillis());
        assertEquals(120_000, Config.resolve("watch.interval=2m", new Properties(), Map.of()).watchIntervalMillis());
        assertEquals(0, Config.resolve("watch.interval=0", new Properties(), Map.of()).watchIntervalMillis());
        Config c = Config.resolve("health.port=8089,rules=/etc/pg.rules,exit.code=1,log.format=JSON",
                new Properties(), Map.of());
        assertEquals(8089, c.healthPort());
        assertEquals(Path.of("/etc/pg.rules"), c.rulesFile());
        assertEquals(1, c.exitCode());
        assertEquals(LogFormat.JSON, c.logFormat());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "action=refsue                 | invalid option action='refsue' (agent argument): expected one of refuse, neutralize, warn",
            "exit.code=0                   | invalid option exit.code='0' (agent argument): expected a whole number from 1 to 255",
            "exit.code=256                 | invalid option exit.code='256'",
            "exit.code=7x                  | invalid option exit.code='7x'",
            "watch.interval=10             | invalid option watch.interval='10' (agent argument): expected a duration",
            "watch.interval=-1s            | invalid option watch.interval='-1s'",
            "watch.interval=+1s            | invalid option watch.interval='+1s'",
            "watch.interval=2h             | invalid option watch.interval='2h'",
            "watch.interval=61m            | invalid option watch.interval='61m'",
            "watch.interval=ms             | invalid option watch.interval='ms'",
            "health.port=70000             | invalid option health.port='70000'",
            "log.format=xml                | invalid option log.format='xml'",
            "env=                          | invalid option env='' (agent argument): must not be empty",
            "rules=                        | invalid option rules=''",
            "production=prod;;live         | invalid option production='prod;;live'",
            "acton=warn                    | unknown option agent argument acton",
            "env                           | invalid agent argument 'env': expected key=value",
            "=prod                         | invalid agent argument '=prod'",
            "env=prod,env=dev              | invalid option env (agent argument): given twice",
            "env=prod,                     | invalid agent argument ''",
    })
    void malformedAgentArgumentsNameTheOption(String args, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.resolve(args, new Properties(), Map.of()));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void unknownPropertiesAndVariablesAreErrorsNotIgnored() {
        ConfigException p = assertThrows(ConfigException.class,
                () -> Config.resolve(null, props("profguard.acton", "warn"), Map.of()));
        assertTrue(p.getMessage().startsWith("unknown option system property profguard.acton"), p.getMessage());
        ConfigException v = assertThrows(ConfigException.class,
                () -> Config.resolve(null, new Properties(), Map.of("PROFGUARD_ACTON", "warn")));
        assertTrue(v.getMessage().startsWith("unknown option environment variable PROFGUARD_ACTON"), v.getMessage());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> Config.resolve(null, new Properties(), Map.of("PROFGUARD_ACTION", "nope")));
        assertTrue(bad.getMessage().contains("(environment variable PROFGUARD_ACTION)"), bad.getMessage());
    }

    @Test
    void entrypointVariableIsNotAnOption() throws ConfigException {
        Config c = Config.resolve(null, new Properties(), Map.of("PROFGUARD_AGENT", "/opt/profguard/profguard-agent.jar"));
        assertEquals(Action.REFUSE, c.action());
    }

    @Test
    void variableNamesFollowTheKey() {
        assertEquals("PROFGUARD_WATCH_INTERVAL", Config.variableOf("watch.interval"));
        assertEquals("PROFGUARD_EXIT_CODE", Config.variableOf("exit.code"));
    }
}
