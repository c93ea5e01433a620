package dev.profguard.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.profguard.act.GuardState;
import dev.profguard.act.StateListener;
import dev.profguard.config.Config;
import dev.profguard.log.Logs;
import dev.profguard.ops.Cli;
import dev.profguard.util.Threads;

import javax.management.ObjectName;
import javax.management.StandardMBean;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes the guard's state: the status file (written atomically on every change, and marked
 * STOPPED when the JVM ends), the loopback HTTP endpoint and the {@code dev.profguard:type=Guard}
 * MXBean. Its thread starts with the first verdict, so it never delays {@code main} and never
 * keeps the JVM alive; its failures are WARN lines, never the application's.
 */
public final class Health implements StateListener, GuardMXBean, Runnable {
    private final Config config;
    private final Object writing = new Object();
    private final AtomicLong refusedLoads = new AtomicLong();
    private final AtomicLong switchOffs = new AtomicLong();
    private final AtomicLong watcherTicks = new AtomicLong();
    /** When the watcher last ticked, for the metric an alert on a stalled watcher reads; 0 for never. */
    private volatile long lastTickMillis;
    private volatile HealthState state;
    private boolean threadStarted;
    private boolean stopped;

    private Health(Config config, HealthState state) {
        this.config = config;
        this.state = state;
    }

    /**
     * The publisher for this JVM, when health.port or status.file asks for one. Nothing is
     * written or served before its first {@link #changed}; the status file is marked STOPPED
     * by a shutdown hook when the JVM ends. Declared as the listener it is: Guard's
     * verification then needs no class of health's loaded (a clean start loads none of it).
     */
    public static StateListener start(Config config) {
        return create(config);
    }

    /** The guard is off in this JVM ({@code enabled=false}): publishes DISABLED. */
    public static void startDisabled(Config config, String message) {
        create(config).disabled(message);
    }

    private static Health create(Config config) {
        Health health = new Health(config, HealthState.starting(config));
        if (config.statusFile() != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(new Stop(health), "profguard-health-stop"));
        }
        return health;
    }

    private void disabled(String message) {
        state = HealthState.disabled(config, message);
        publish();
    }

    @Override
    public void changed(GuardState event) {
        synchronized (writing) {
            state = state.after(event);
        }
        publish();
    }

    @Override
    public void ending() {
        stop(); // _exit follows: the shutdown hook that would mark the file STOPPED never runs
    }

    @Override
    public void counted(Count what) {
        switch (what) {
            case REFUSED_LOAD -> refusedLoads.incrementAndGet();
            case SWITCH_OFF -> switchOffs.incrementAndGet();
            case WATCHER_TICK -> {
                watcherTicks.incrementAndGet();
                lastTickMillis = System.currentTimeMillis();
            }
            default -> throw new AssertionError(what);
        }
    }

    /** The state now, as last published. */
    public HealthState state() {
        return state;
    }

    /** The first publication starts the thread (status file, endpoint, MXBean); later ones rewrite the file. */
    private void publish() {
        boolean start;
        synchronized (writing) {
            start = !threadStarted;
            threadStarted = true;
        }
        if (!start) {
            writeStatus();
            return;
        }
        Thread thread = new Thread(this, "profguard-health"); // not a method reference: this runs in premain
        thread.setDaemon(true); // threads it starts (the HTTP dispatcher) inherit this: never keeps the JVM up
        thread.start();
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
        synchronized (writing) {
            if (!stopped) {
                write(state);
            }
        }
    }

    /** Marks the status file STOPPED; nothing is written after it. Runs in the shutdown hook. */
    void stop() {
        synchronized (writing) {
            if (!stopped) {
                stopped = true;
                write(state.stopped());
            }
        }
    }

    /**
     * Replaces the status file: a temporary file beside it, then a rename. Called with
     * {@link #writing} held, so the shutdown hook waits for a write under way and no temporary
     * file is ever left behind by a JVM that ends meanwhile.
     */
    private void write(HealthState now) {
        Path file = config.statusFile();
        if (file == null) {
            return;
        }
        try {
            Path temp = newTempFile(file, (now.json() + "\n").getBytes(StandardCharsets.UTF_8));
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

    /** The metrics in Prometheus' text format. */
    String metrics() {
        return Metrics.render(state, config.enabled(), refusedLoads.get(), switchOffs.get(), watcherTicks.get(), lastTickMillis);
    }

    /**
     * The shutdown hook's work, in a class of its own: a Thread needs a Runnable. The final write
     * runs on a daemon thread of its own, waited for at most {@value #STOP_WAIT_MILLIS} ms: a write
     * under way that never ends (red team round 10 blocked one in a Properties subclass of the
     * application) must not keep the JVM from exiting. The status file then keeps its last state.
     */
    private static final class Stop implements Runnable {
        private final Health health;

        Stop(Health health) {
            this.health = health;
        }

        @Override
        public void run() {
            dev.profguard.runtime.RuntimeGuard.lastLook(); // what it finds is published before STOPPED
            Threads.runBounded(health::stop, "profguard-health-stop-write", STOP_WAIT_MILLIS);
        }
    }

    private static final long STOP_WAIT_MILLIS = 2000;

    /**
     * The HTTP endpoint, in a class of its own: verifying Health would otherwise load the JDK's
     * HTTP server classes whenever only status.file is set.
     */
    private static final class Endpoint implements HttpHandler {
        private final Health health;

        private Endpoint(Health health) {
            this.health = health;
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
                Endpoint handler = new Endpoint(health); // a named class: no lambda bootstrap
                server.createContext("/health", handler);
                server.createContext("/metrics", handler);
                server.start();
            } catch (IOException | RuntimeException e) {
                health.warn("health endpoint not started on " + bind + ":" + config.healthPort() + ": " + e.getMessage()
                        + ". The guard itself keeps working.");
            }
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                HealthState now = health.state;
                int status;
                String body;
                String type = "application/json";
                switch (exchange.getRequestURI().getPath()) {
                    case "/health" -> {
                        status = now.up() ? 200 : 503;
                        body = now.json();
                    }
                    case "/health/liveness" -> {
                        // the guard answers: it runs. Never DOWN: restarting would not remove a client.
                        status = 200;
                        body = "{\"status\":\"" + (now.status().equals("DISABLED") ? "DISABLED" : "UP") + "\"}";
                    }
                    case "/health/readiness" -> {
                        status = now.ready() ? 200 : 503;
                        body = "{\"status\":\"" + (now.ready() ? "UP" : "DOWN") + "\"}";
                    }
                    case "/metrics" -> {
                        status = 200;
                        body = health.metrics();
                        type = "text/plain; version=0.0.4; charset=utf-8";
                    }
                    default -> {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                }
                byte[] bytes = (body.endsWith("\n") ? body : body + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                boolean head = method.equals("HEAD");
                exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            }
        }
    }

    private void registerMXBean() {
        try {
            // wrapped: the MBean server's getClassLoaderFor answers with the wrapper's loader (the
            // JDK's), not the guard's, which red team round 9 took from it to reach the options
            ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean(this, GuardMXBean.class, true),
                    new ObjectName("dev.profguard:type=Guard"));
        } catch (Exception e) {
            warn("MXBean dev.profguard:type=Guard not registered: " + e + ". The guard itself keeps working.");
        }
    }

    private void warn(String message) {
        Logs.get(config.logFormat()).atWarn().addKeyValue("outcome", "health").log(message);
    }

    @Override
    public String getStatus() {
        return state.status();
    }

    @Override
    public boolean isReady() {
        return state.ready();
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
