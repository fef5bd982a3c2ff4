package dev.ordersaga.gateway.causality;

import java.util.Arrays;
import java.util.Objects;

/**
 * One version of a key's value that no other version held has replaced: the write's dot, its bytes
 * and content type, whether it is a deletion (a tombstone), when it was accepted (epoch millis, for
 * people, never for ordering) and which gateway coordinated it.
 */
public record Sibling(Dot dot, byte[] value, String contentType, boolean deleted, long timestamp, String writer) {

    public Sibling {
        Objects.requireNonNull(dot, "dot");
        value = value == null ? new byte[0] : value;
        contentType = contentType == null ? "" : contentType;
        writer = writer == null ? "" : writer;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sibling s && dot.equals(s.dot) && deleted == s.deleted && timestamp == s.timestamp
                && Arrays.equals(value, s.value) && contentType.equals(s.contentType) && writer.equals(s.writer);
    }

    @Override
    public int hashCode() {
        return dot.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (deleted ? "tombstone" : value.length + " bytes") + " @" + dot;
    }
}
