package dev.profguard.log;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTest {
    @Test
    void writesNestedValuesAndEscapesControlCharacters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\te\u0001\u2028");
        m.put("n", 78);
        m.put("b", true);
        m.put("null", null);
        m.put("list", Arrays.asList("x", 1L, null));
        m.put("map", Map.of("k", List.of()));
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u2028\",\"n\":78,\"b\":true,\"null\":null,"
                + "\"list\":[\"x\",1,null],\"map\":{\"k\":[]}}", Json.write(m));
    }

    @Test
    void textLinesStayOneLine() {
        assertEquals("a\\nb\\rc", TextLineEncoder.oneLine("a\nb\rc"));
    }
}
