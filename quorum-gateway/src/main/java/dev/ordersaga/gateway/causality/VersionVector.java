package dev.ordersaga.gateway.causality;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * For each actor, the highest counter of its writes that a state (or a reader) has seen. In a key
 * state every dot of an actor up to that counter is either held as a sibling or was replaced by a
 * version held there: states are only ever replaced by joins and updates that keep this true, and
 * a node replicates its whole state for the key, never one version alone. So a vector names
 * exactly the writes its holder saw (dotted version vector sets), whatever order writes reach the
 * nodes in. Immutable; pure.
 */
public final class VersionVector {

    private static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

    private final TreeMap<String, Long> entries;

    private VersionVector(TreeMap<String, Long> entries) {
        this.entries = entries;
    }

    public static VersionVector empty() {
        return EMPTY;
    }

    /** A vector from actor counters; counters below 1 are left out. */
    public static VersionVector of(Map<String, Long> counters) {
        TreeMap<String, Long> copy = new TreeMap<>();
        counters.forEach((actor, counter) -> {
            if (counter == null || counter < 0) {
                throw new IllegalArgumentException("counter of " + actor + " must be >= 0");
            }
            if (counter > 0) {
                copy.put(actor, counter);
            }
        });
        return new VersionVector(copy);
    }

    public SortedMap<String, Long> entries() {
        return Collections.unmodifiableSortedMap(entries);
    }

    public long get(String actor) {
        Long c = entries.get(actor);
        return c == null ? 0 : c;
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether the write named by {@code dot} is among what this vector has seen. */
    public boolean covers(Dot dot) {
        return get(dot.actor()) >= dot.counter();
    }

    /** Whether this vector has seen everything {@code other} has. */
    public boolean descends(VersionVector other) {
        for (var e : other.entries.entrySet()) {
            if (get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The pointwise maximum: everything either has seen. */
    public VersionVector max(VersionVector other) {
        if (other.isEmpty() || descends(other)) {
            return this;
        }
        TreeMap<String, Long> merged = new TreeMap<>(entries);
        other.entries.forEach((actor, counter) -> merged.merge(actor, counter, Math::max));
        return new VersionVector(merged);
    }

    /** This vector with {@code dot} seen. */
    public VersionVector with(Dot dot) {
        if (covers(dot)) {
            return this;
        }
        TreeMap<String, Long> next = new TreeMap<>(entries);
        next.put(dot.actor(), dot.counter());
        return new VersionVector(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && entries.equals(v.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
