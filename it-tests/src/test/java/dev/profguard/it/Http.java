package dev.profguard.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Plain HTTP GETs against a guarded JVM's health endpoint, and promtool over what it serves. */
final class Http {
    record Answer(int status, String body, String contentType) {
    }

    private Http() {
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** GET http://127.0.0.1:PORT/PATH, retried until the endpoint is up (it starts on a background thread). */
    static Answer get(int port, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path)
                        .toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                int status = connection.getResponseCode();
                try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                    String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    return new Answer(status, body, connection.getContentType());
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Runs {@code promtool check metrics} over a /metrics body; fails with its complaint. */
    static void assertValidMetrics(String body, Path dir) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "metrics", ".txt"), body);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        promtool.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, promtool.exitValue(), "promtool check metrics: " + output + "\n" + body);
    }
}
