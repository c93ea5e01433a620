package dev.profguard.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.profguard.config.Config;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per line: {@code time}, {@code level}, {@code logger}, {@code message},
 * {@code outcome}, {@code env}, {@code production}, then the event's other key-value pairs (e.g.
 * {@code exit_status}), and {@code findings} last. Every line has the same fields, whatever the
 * event: {@code outcome} may be null, {@code findings} an empty list, and {@code env} and
 * {@code production} come from this JVM's options when the event does not carry them.
 */
final class JsonLineEncoder extends EncoderBase<ILoggingEvent> {
    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        fields.put("level", event.getLevel().toString());
        fields.put("logger", "profguard");
        fields.put("message", "profguard: " + event.getFormattedMessage());
        fields.put("outcome", null);
        Config config = Config.ofThisJvm();
        fields.put("env", config == null ? null : config.envTag());
        fields.put("production", config != null && config.isProduction());
        Object findings = List.of();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key.equals("findings")) {
                    findings = pair.value;
                } else if (pair.key.equals("outcome") || pair.key.equals("env") || pair.key.equals("production")) {
                    fields.put(pair.key, pair.value);
                } else {
                    fields.putIfAbsent(pair.key, pair.value);
                }
            }
        }
        fields.put("findings", findings);
        return (Json.write(fields) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
