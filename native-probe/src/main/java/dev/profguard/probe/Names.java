package dev.profguard.probe;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * File names are bytes on Linux, not text: a library named with bytes that are not valid UTF-8
 * must still be found, compared and reopened by what it is. Names travel as bytes; text is made
 * only to be shown ({@link #display}) and, where it maps back to the same bytes, to open files.
 */
public final class Names {
    private Names() {
    }

    /** A lossless text key for comparing names: one char per byte (ISO-8859-1). */
    public static String key(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    /** The name's bytes back from a {@link #key}. */
    public static byte[] fromKey(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The name as text to show: UTF-8, with each byte that is not valid UTF-8 written as \xNN. */
    public static String display(byte[] name) {
        String strict = strictUtf8(name);
        if (strict != null) {
            return strict;
        }
        StringBuilder text = new StringBuilder(name.length + 16);
        int i = 0;
        while (i < name.length) {
            int length = sequenceLength(name, i);
            if (length > 0) {
                text.append(new String(name, i, length, StandardCharsets.UTF_8));
                i += length;
            } else {
                text.append(String.format("\\x%02x", name[i] & 0xff));
                i++;
            }
        }
        return text.toString();
    }

    /** The name as UTF-8 text when it is valid UTF-8 (so the text names the same file), else null. */
    public static String strictUtf8(byte[] name) {
        boolean ascii = true;
        for (byte b : name) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(name, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(name));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there does not start one. */
    private static int sequenceLength(byte[] bytes, int i) {
        int b = bytes[i] & 0xff;
        int length = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
        if (length == 0 || i + length > bytes.length) {
            return 0;
        }
        for (int k = 1; k < length; k++) {
            if ((bytes[i + k] & 0xc0) != 0x80) {
                return 0;
            }
        }
        return strictUtf8(java.util.Arrays.copyOfRange(bytes, i, i + length)) == null ? 0 : length;
    }
}
