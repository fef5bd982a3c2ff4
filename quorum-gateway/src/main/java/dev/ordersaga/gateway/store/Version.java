package dev.ordersaga.gateway.store;

import java.util.Arrays;

import dev.ordersaga.gateway.clock.VectorClock;

/**
 * One version of a key's value: its causal history, the bytes and their content type, or a
 * tombstone, and the wall-clock time it was written (used only to prune, never to order).
 */
public record Version(VectorClock clock, byte[] value, String contentType, boolean deleted, long timestamp) {

    public static Version tombstone(VectorClock clock, long timestamp) {
        return new Version(clock, new byte[0], null, true, timestamp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && clock.equals(v.clock) && deleted == v.deleted && Arrays.equals(value, v.value)
                && java.util.Objects.equals(contentType, v.contentType);
    }

    @Override
    public int hashCode() {
        return clock.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (deleted ? "tombstone" : value.length + " bytes") + " @ " + clock;
    }
}
