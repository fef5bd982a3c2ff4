package dev.ordersaga.gateway.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

import dev.ordersaga.gateway.causality.Dot;
import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.causality.Sibling;
import dev.ordersaga.gateway.causality.VersionVector;

/**
 * The stored form of a key's state, shared with the nodes' Lua scripts (Redis's {@code cmsgpack}):
 * a MessagePack array {@code [1, vector, siblings]} where the vector is {@code [[actor, counter]...]}
 * sorted by actor and each sibling is {@code [actor, counter, value, contentType, deleted, acceptedAt,
 * writer]} sorted by dot. Values are raw bytes (no base64); numbers are integers (counters and epoch
 * milliseconds stay far below 2^53, which Lua represents exactly).
 */
public final class StateCodec {

    private static final int FORMAT = 1;

    private StateCodec() {
    }

    public static byte[] encode(KeyState state) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            out.packArrayHeader(3);
            out.packInt(FORMAT);
            packVector(out, state.vector());
            out.packArrayHeader(state.siblings().size());
            for (Sibling s : state.siblings()) {
                out.packArrayHeader(7);
                packString(out, s.dot().actor());
                out.packLong(s.dot().counter());
                out.packRawStringHeader(s.value().length);
                out.writePayload(s.value());
                packString(out, s.contentType());
                out.packBoolean(s.deleted());
                out.packLong(s.timestamp());
                packString(out, s.writer());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A vector alone ({@code [[actor, counter]...]}), as the write script takes a writer's context. */
    public static byte[] encode(VersionVector vector) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            packVector(out, vector);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A vector encoded by {@link #encode(VersionVector)}. */
    public static VersionVector decodeVector(byte[] bytes) {
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(bytes)) {
            VersionVector vector = unpackVector(in);
            if (in.hasNext()) {
                throw new IllegalStateException("trailing bytes after the vector");
            }
            return vector;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable vector: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a stored state, where something unreadable (not written by the gateway) counts as empty,
     * so that a read or a repair writes the joined state over it, as the scripts do.
     */
    public static KeyState decodeOrEmpty(byte[] bytes) {
        try {
            return decode(bytes);
        } catch (IllegalStateException e) {
            return KeyState.empty();
        }
    }

    /** Reads a stored state; null or empty input is an absent key. */
    public static KeyState decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return KeyState.empty();
        }
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(bytes)) {
            int fields = in.unpackArrayHeader();
            if (fields < 3 || in.unpackInt() != FORMAT) {
                throw new IllegalStateException("unknown state format");
            }
            VersionVector vector = unpackVector(in);
            int n = in.unpackArrayHeader();
            List<Sibling> siblings = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int parts = in.unpackArrayHeader();
                if (parts < 7) {
                    throw new IllegalStateException("sibling with " + parts + " fields");
                }
                Dot dot = new Dot(unpackString(in), in.unpackLong());
                byte[] value = unpackBytes(in);
                String contentType = unpackString(in);
                boolean deleted = in.unpackBoolean();
                long timestamp = in.unpackLong();
                String writer = unpackString(in);
                for (int extra = 7; extra < parts; extra++) {
                    in.skipValue();
                }
                siblings.add(new Sibling(dot, value, contentType, deleted, timestamp, writer));
            }
            return new KeyState(vector, siblings);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("unreadable stored state: " + e.getMessage(), e);
        }
    }

    private static void packVector(MessageBufferPacker out, VersionVector vector) throws IOException {
        out.packArrayHeader(vector.size());
        for (var e : vector.entries().entrySet()) {
            out.packArrayHeader(2);
            packString(out, e.getKey());
            out.packLong(e.getValue());
        }
    }

    private static VersionVector unpackVector(MessageUnpacker in) throws IOException {
        int n = in.unpackArrayHeader();
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            if (in.unpackArrayHeader() != 2) {
                throw new IllegalStateException("vector entry is not [actor, counter]");
            }
            counters.put(unpackString(in), in.unpackLong());
        }
        return VersionVector.of(counters);
    }

    private static void packString(MessageBufferPacker out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.packRawStringHeader(bytes.length);
        out.writePayload(bytes);
    }

    private static String unpackString(MessageUnpacker in) throws IOException {
        return new String(unpackBytes(in), StandardCharsets.UTF_8);
    }

    /** Lua packs every string as a MessagePack str; accept bin too. */
    private static byte[] unpackBytes(MessageUnpacker in) throws IOException {
        var format = in.getNextFormat();
        int length = switch (format.getValueType()) {
            case STRING -> in.unpackRawStringHeader();
            case BINARY -> in.unpackBinaryHeader();
            default -> throw new IllegalStateException("expected bytes, found " + format);
        };
        return in.readPayload(length);
    }
}
