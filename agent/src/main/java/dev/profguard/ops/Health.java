package dev.profguard.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.profguard.config.Config;
import dev.profguard.log.Logs;

import javax.management.ObjectName;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Publishes the guard's state: the status file (written atomically on every change), the
 * loopback health endpoint (GET /health: 200 UP, 503 DOWN) and the {@code dev.profguard:type=Guard}
 * MXBean. Started on a daemon thread after the start-up verdict, so it never delays {@code main}
 * and never keeps the JVM alive; its failures are WARN lines, never the application's.
 */
public final class Health implements GuardMXBean, Runnable {
    private static final Object LOCK = new Object();
    private static Health instance;

    private final Config config;
    private volatile HealthState state;

    private Health(Config config, HealthState state) {
        this.config = config;
        this.state = state;
    }

    /** Starts publishing when health.port or status.file is set; a no-op otherwise. */
    public static void start(Config config, HealthState state) {
        if (config.healthPort() == 0 && config.statusFile() == null) {
            return;
        }
        synchronized (LOCK) {
            if (instance != null) {
                instance.update(state);
                return;
            }
            instance = new Health(config, state);
        }
        Thread thread = new Thread(instance, "profguard-health"); // not a method reference: this runs in premain
        thread.setDaemon(true); // threads it starts (the HTTP dispatcher) inherit this: never keeps the JVM up
        thread.start();
    }

    /** The running publisher, or null when health.port and status.file are both off. */
    public static Health current() {
        synchronized (LOCK) {
            return instance;
        }
    }

    /** The state now, as last published. */
    public HealthState state() {
        return state;
    }

    /** Writes the status file now (before a refusal exits, for instance); no endpoint is started. */
    public static void writeStatusFile(Config config, HealthState state) {
        if (config.statusFile() != null) {
            new Health(config, state).writeStatus();
        }
    }

    /** A new state: the status file is rewritten, the endpoint and MXBean serve it at once. */
    public void update(HealthState next) {
        this.state = next;
        writeStatus();
    }

    /** The health thread: status file, endpoint, MXBean. */
    @Override
    public void run() {
        writeStatus();
        if (config.healthPort() != 0) {
            Endpoint.serve(this);
        }
        registerMXBean();
    }

    private void writeStatus() {
        Path file = config.statusFile();
        if (file == null) {
            return;
        }
        try {
            Path temp = newTempFile(file, (state.json() + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException | RuntimeException e) {
            warn("status file " + file + " not written: " + e + ". The guard itself keeps working.");
        }
    }

    /**
     * A new file next to the status file holding these bytes, created exclusively and written
     * through the descriptor that created it (O_EXCL: never through a symbolic link someone left
     * there). Not Files.createTempFile: its SecureRandom initialises the security providers,
     * ~20 ms of CPU taken from main on a two-core machine.
     */
    private static Path newTempFile(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = "." + file.getFileName() + "." + ProcessHandle.current().pid() + ".";
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(prefix + Long.toHexString(System.nanoTime()) + ".tmp");
            OutputStream out;
            try {
                out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 8) {
                    throw e;
                }
                continue;
            }
            try (out) {
                out.write(content);
            } catch (IOException e) {
                Files.deleteIfExists(temp); // a full disk leaves no half-written file behind
                throw e;
            }
            return temp;
        }
    }

    /**
     * The HTTP endpoint, in a class of its own: verifying Health would otherwise load the JDK's
     * HTTP server classes on the path to main even where no health.port is set.
     */
    private static final class Endpoint {
        private Endpoint() {
        }

        static void serve(Health health) {
            Config config = health.config;
            String bind = config.healthBind();
            try {
                InetAddress address = InetAddress.getByName(bind);
                if (!address.isLoopbackAddress()) {
                    health.warn("health endpoint bound to " + bind + ", which is not a loopback address (health.bind): "
                            + "anyone who can reach it can read what this JVM holds.");
                }
                HttpServer server = HttpServer.create(new InetSocketAddress(address, config.healthPort()), 8);
                server.createContext("/health", new Handler(health)); // a named class: no lambda bootstrap
                server.start();
            } catch (IOException | RuntimeException e) {
                health.warn("health endpoint not started on " + bind + ":" + config.healthPort() + ": " + e.getMessage()
                        + ". The guard itself keeps working.");
            }
        }

        /** Answers GET /health. */
        private static final class Handler implements HttpHandler {
            private final Health health;

            Handler(Health health) {
                this.health = health;
            }

            @Override
            public void handle(HttpExchange exchange) throws IOException {
                answer(health, exchange);
            }
        }

        private static void answer(Health health, HttpExchange exchange) throws IOException {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                if (!exchange.getRequestURI().getPath().equals("/health")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                HealthState now = health.state;
                byte[] body = (now.json() + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(now.up() ? 200 : 503, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }
    }

    private void registerMXBean() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName("dev.profguard:type=Guard"));
        } catch (Exception e) {
            warn("MXBean dev.profguard:type=Guard not registered: " + e + ". The guard itself keeps working.");
        }
    }

    private void warn(String message) {
        Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "health").log(message);
    }

    @Override
    public String getStatus() {
        return state.up() ? "UP" : "DOWN";
    }

    @Override
    public String getOutcome() {
        return state.outcome();
    }

    @Override
    public String getEnvironment() {
        return state.env();
    }

    @Override
    public boolean isProduction() {
        return state.production();
    }

    @Override
    public String[] getFindings() {
        List<Map<String, Object>> findings = state.findings();
        String[] evidence = new String[findings.size()];
        for (int i = 0; i < evidence.length; i++) {
            evidence[i] = String.valueOf(findings.get(i).get("evidence"));
        }
        return evidence;
    }

    @Override
    public String getVersion() {
        return Cli.version();
    }

    @Override
    public String getJson() {
        return state.json();
    }
}
