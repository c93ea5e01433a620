package dev.profguard.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
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
        assertEquals(Set.of("prod", "prod-*", "production", "production-*", "prd", "prd-*", "live", "live-*"),
                c.productionTags());
        assertTrue(c.enabled());
        assertEquals("warn", c.attach());
        assertEquals("warn", c.logLevel());
        assertNull(c.probeDir());
        assertEquals(List.of(), c.warnings());
        assertEquals(Action.REFUSE, c.action());
        assertEquals(78, c.exitCode());
        assertNull(c.rulesFile());
        assertEquals(250, c.watchIntervalMillis());
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "prod-eu                  | ''                       | true  | prod-*",
            "production-us-east-1     | ''                       | true  | production-*",
            "PRD-2                    | ''                       | true  | prd-*",
            "preprod                  | ''                       | false | ",
            "product-demo             | ''                       | false | ",
            "eu-prod                  | '*-prod;prod'            | true  | *-prod",
            "prod-eu                  | 'prod'                   | false | ",
            "live7                    | 'live?'                  | true  | live?",
    })
    void productionAcceptsGlobPatterns(String tag, String list, boolean production, String match) throws ConfigException {
        Config c = Config.resolve("env=" + tag + (list.isEmpty() ? "" : ",production=" + list), new Properties(), Map.of());
        assertEquals(production, c.isProduction(), tag);
        assertEquals(match, c.productionMatch());
    }

    /** A pattern whose one wildcard is a trailing '*' is matched as a prefix without Glob: the same answers as Glob's. */
    @Test
    void prefixPatternsMatchAsGlobDoes() throws ConfigException {
        for (String pattern : List.of("prod-*", "p*", "*", "prod*", "pr?d-*", "prod-*-*", "a*b", "prod")) {
            for (String tag : List.of("prod-eu", "PROD-EU", "prod-", "prod", "pro", "p", "x", "prod-eu-1", "prd-eu", "ab", "axxb")) {
                Config c = Config.resolve("env=" + tag + ",production=" + pattern, new Properties(), Map.of());
                boolean glob = dev.profguard.rules.Glob.matches(pattern, tag.toLowerCase(java.util.Locale.ROOT));
                assertEquals(glob, c.isProduction(), pattern + " vs " + tag);
            }
        }
    }

    @Test
    void newOptions() throws ConfigException {
        Config c = Config.resolve("enabled=false,attach=ignore,log.level=info,probe.dir=/run/pg", new Properties(), Map.of());
        assertFalse(c.enabled());
        assertEquals("agent argument", c.sourceOf("enabled"));
        assertEquals("default", c.sourceOf("action"));
        assertEquals("ignore", c.attach());
        assertEquals("info", c.logLevel());
        assertEquals(Path.of("/run/pg"), c.probeDir());
        assertEquals("environment variable PROFGUARD_ENABLED",
                Config.resolve(null, new Properties(), Map.of("PROFGUARD_ENABLED", "false")).sourceOf("enabled"));
        assertThrows(ConfigException.class, () -> Config.resolve("enabled=no", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> Config.resolve("attach=close", new Properties(), Map.of()));
        assertThrows(ConfigException.class, () -> Config.resolve("log.level=debug", new Properties(), Map.of()));
    }

    @Test
    void unknownVariablesAreIgnoredWithOneWarningButNearMissesAreErrors() throws ConfigException {
        Config c = Config.resolve(null, new Properties(), Map.of("PROFGUARD_VERSION", "1.2.3", "PROFGUARD_HOME", "/opt/pg",
                "PROFGUARD_ACTION", "warn"));
        assertEquals(Action.WARN, c.action());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).startsWith("ignoring environment variables PROFGUARD_HOME, PROFGUARD_VERSION: "
                + "not profguard options"), c.warnings().get(0));
        for (String typo : List.of("PROFGUARD_ACTON", "PROFGUARD_RULE", "PROFGUARD_LOGFORMAT", "PROFGUARD_action",
                "PROFGUARD_EN", "PROFGUARD_HEALTH_PROT", "PROFGUARD_WATCH_INTERVALS")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Config.resolve(null, new Properties(), Map.of(typo, "x")), typo);
            assertTrue(e.getMessage().startsWith("unknown option environment variable " + typo + ": did you mean PROFGUARD_"),
                    e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> Config.resolve(null, new Properties(), Map.of("PROFGUARD_LOG_FROMAT", "json")));
        assertTrue(e.getMessage().contains("did you mean PROFGUARD_LOG_FORMAT?"), e.getMessage());
        for (String unrelated : List.of("PROFGUARD_HOME", "PROFGUARD_VERSION", "PROFGUARD_OPTS", "PROFGUARD_DIR",
                "PROFGUARD_JAR", "PROFGUARD_URL", "PROFGUARD_PORT")) {
            assertEquals(1, Config.resolve(null, new Properties(), Map.of(unrelated, "x")).warnings().size(), unrelated);
        }
    }

    @Test
    void argumentsAndPropertiesStayStrictAndSuggest() {
        ConfigException a = assertThrows(ConfigException.class, () -> Config.resolve("versoin=1", new Properties(), Map.of()));
        assertTrue(a.getMessage().startsWith("unknown option agent argument versoin (known"), a.getMessage());
        ConfigException p = assertThrows(ConfigException.class,
                () -> Config.resolve(null, props("profguard.log.levle", "info"), Map.of()));
        assertTrue(p.getMessage().startsWith("unknown option system property profguard.log.levle: did you mean log.level?"),
                p.getMessage());
    }

    @Test
    void aMalformedOptionsErrorIsInTheFormatAskedFor() {
        ConfigException json = assertThrows(ConfigException.class,
                () -> Config.resolve("log.format=json,action=nope", new Properties(), Map.of()));
        assertEquals(LogFormat.JSON, json.logFormat());
        ConfigException variable = assertThrows(ConfigException.class,
                () -> Config.resolve("action=nope", new Properties(), Map.of("PROFGUARD_LOG_FORMAT", " JSON ")));
        assertEquals(LogFormat.JSON, variable.logFormat());
        ConfigException overridden = assertThrows(ConfigException.class,
                () -> Config.resolve("action=nope,log.format=text", new Properties(), Map.of("PROFGUARD_LOG_FORMAT", "json")));
        assertEquals(LogFormat.TEXT, overridden.logFormat());
        ConfigException text = assertThrows(ConfigException.class, () -> Config.resolve("action=nope", new Properties(), Map.of()));
        assertEquals(LogFormat.TEXT, text.logFormat());
    }

    @Test
    void everyOptionHasHelp() {
        assertEquals(Config.KEYS, OptionHelp.OPTIONS.stream().map(o -> o[0]).toList());
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
    void unknownPropertiesAreErrorsNotIgnored() {
        ConfigException p = assertThrows(ConfigException.class,
                () -> Config.resolve(null, props("profguard.acton", "warn"), Map.of()));
        assertTrue(p.getMessage().startsWith("unknown option system property profguard.acton"), p.getMessage());
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

    /** The start block is read for our variables only; the first entry of a name wins, as the C library's getenv does. */
    @Test
    void takesOnlyOurVariablesOutOfTheStartBlock() {
        byte[] block = ("PATH=/bin\0APP_ENVIRONMENT=dev\0APP_ENV=prod\0PROFGUARDX=1\0PROFGUARD_ENABLED=false\0"
                + "=odd\0\0DEPLOY_ENV=live\0APP_ENV=dev\0ENVIRONMENT\0E=\u00e9").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(Map.of("APP_ENV", "prod", "PROFGUARD_ENABLED", "false", "DEPLOY_ENV", "live"), Config.oursOf(block));
        assertEquals(List.of("APP_ENV", "PROFGUARD_ENABLED", "DEPLOY_ENV"), List.copyOf(Config.oursOf(block).keySet()));
        assertEquals(Map.of(), Config.oursOf(new byte[0]));
    }
}
