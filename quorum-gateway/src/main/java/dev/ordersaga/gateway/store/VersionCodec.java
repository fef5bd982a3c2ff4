package dev.ordersaga.gateway.store;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordersaga.gateway.clock.VectorClock;

/**
 * The stored form of a key's siblings, shared with the Lua merge script:
 * {@code [{"c":{"g1":[counter,time]},"o":["g1",counter],"v":"<base64>","t":"text/plain","d":false,"ts":time}]}.
 * Numbers stay below 10^14 (millisecond counters), which Redis's cjson encodes exactly.
 */
public final class VersionCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private VersionCodec() {
    }

    public static String encode(List<Version> versions) {
        ArrayNode array = F.arrayNode();
        for (Version v : versions) {
            ObjectNode o = array.addObject();
            o.set("c", clock(v.context()));
            o.putArray("o").add(v.dot().coordinator()).add(v.dot().counter());
            o.put("v", Base64.getEncoder().encodeToString(v.value()));
            if (v.contentType() != null) {
                o.put("t", v.contentType());
            }
            o.put("d", v.deleted());
            o.put("ts", v.timestamp());
        }
        return array.toString();
    }

    /** Reads stored siblings; null or empty input is an absent key. */
    public static List<Version> decode(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            JsonNode root = MAPPER.readTree(json);
            List<Version> versions = new ArrayList<>();
            for (JsonNode o : root) {
                versions.add(new Version(
                        clock(o.get("c")),
                        new Version.Dot(o.get("o").get(0).asText(), o.get("o").get(1).asLong()),
                        Base64.getDecoder().decode(o.path("v").asText("")),
                        o.hasNonNull("t") ? o.get("t").asText() : null,
                        o.path("d").asBoolean(false),
                        o.path("ts").asLong()));
            }
            return versions;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("unreadable stored versions: " + e.getMessage(), e);
        }
    }

    /** The compact form of a clock, as used in {@code X-Context}. */
    public static ObjectNode clock(VectorClock clock) {
        ObjectNode c = F.objectNode();
        clock.entries().forEach((id, e) -> c.putArray(id).add(e.counter()).add(e.timestamp()));
        return c;
    }

    public static VectorClock clock(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a clock is a JSON object");
        }
        Map<String, VectorClock.Entry> entries = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            JsonNode e = f.getValue();
            if (!e.isArray() || e.size() != 2 || !e.get(0).canConvertToLong() || !e.get(1).canConvertToLong()
                    || e.get(0).asLong() < 0) {
                throw new IllegalArgumentException("clock entry '" + f.getKey() + "' must be [counter, time]");
            }
            entries.put(f.getKey(), new VectorClock.Entry(e.get(0).asLong(), e.get(1).asLong()));
        }
        return VectorClock.of(entries);
    }

    /** The {@code X-Context} header for a clock: base64url of its JSON. */
    public static String contextHeader(VectorClock clock) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(clock(clock).toString().getBytes());
    }

    /** Parses an {@code X-Context} header; IllegalArgumentException when malformed. */
    public static VectorClock parseContext(String header) {
        if (header == null || header.isBlank()) {
            return VectorClock.empty();
        }
        if (header.length() > 8192) {
            throw new IllegalArgumentException("X-Context is too long");
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(header.trim());
            return clock(MAPPER.readTree(json));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("X-Context is not valid: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("X-Context is not valid JSON");
        }
    }
}
