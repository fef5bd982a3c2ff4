package dev.ordersaga.gateway.store;

import java.util.Arrays;
import java.util.Objects;

import dev.ordersaga.gateway.clock.VectorClock;

/**
 * One version of a key's value, as a dotted version (Riak's DVV): {@code dot} names the write that
 * made it (the coordinator and its counter), {@code context} is the vector clock the writer had
 * read, without that dot. A version is replaced only by one whose context covers its dot - so two
 * writes made from the same context, even through the same coordinator, stay siblings instead of
 * one silently overwriting the other. {@code timestamp} (wall clock) is used only to bound
 * siblings, never to order writes.
 */
public record Version(VectorClock context, Dot dot, byte[] value, String contentType, boolean deleted, long timestamp) {

    /** The write that made a version: coordinator id and its counter. */
    public record Dot(String coordinator, long counter) {
    }

    /** Whether this version's writer had seen {@code other}'s write (so this one replaces it). */
    public boolean covers(Version other) {
        return !dot.equals(other.dot) && context.counter(other.dot.coordinator()) >= other.dot.counter();
    }

    /** The causal history of this version: its context plus its own dot. */
    public VectorClock clock() {
        long seen = context.counter(dot.coordinator());
        if (seen >= dot.counter()) {
            return context;
        }
        var entries = new java.util.HashMap<>(context.entries());
        entries.put(dot.coordinator(), new VectorClock.Entry(dot.counter(), timestamp));
        return VectorClock.of(entries);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && dot.equals(v.dot) && context.equals(v.context) && deleted == v.deleted
                && Arrays.equals(value, v.value) && Objects.equals(contentType, v.contentType);
    }

    @Override
    public int hashCode() {
        return dot.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return (deleted ? "tombstone" : value.length + " bytes") + " " + dot.coordinator() + ":" + dot.counter() + " after "
                + context;
    }
}
