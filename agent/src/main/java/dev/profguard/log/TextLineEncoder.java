package dev.profguard.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;

import java.nio.charset.StandardCharsets;

/** {@code profguard: LEVEL message}, one line per event, whatever the message contains. */
final class TextLineEncoder extends EncoderBase<ILoggingEvent> {
    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        String line = "profguard: " + event.getLevel() + " " + oneLine(event.getFormattedMessage()) + "\n";
        return line.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    /** Paths and names in evidence may hold line breaks; a log line must stay one line. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("\r", "\\r").replace("\n", "\\n");
    }
}
