package dev.ordersaga.gateway.clock;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A vector clock keyed by coordinator id: for each coordinator, how many writes it has issued on
 * this version's history, and when it last did. Immutable; pure.
 *
 * <p>Bounded by a rule: at most {@link #MAX_ENTRIES} entries. When an increment would exceed it,
 * the entry touched longest ago is dropped (Riak's pruning). Pruning can only make a version look
 * concurrent with one it descends from, never the reverse, so a pruned clock may add a sibling but
 * never silently loses a write.
 */
public final class VectorClock {

    /** Entries kept at most (one per coordinator that wrote the key). */
    public static final int MAX_ENTRIES = 16;

    /** How two clocks relate. */
    public enum Order {
        /** This clock happened before the other (the other descends from it). */
        BEFORE,
        /** This clock happened after the other (it descends from the other). */
        AFTER,
        /** Same history. */
        EQUAL,
        /** Neither descends from the other: siblings. */
        CONCURRENT
    }

    /** One coordinator's counter and the time (epoch millis) it last moved. */
    public record Entry(long counter, long timestamp) {
    }

    private static final VectorClock EMPTY = new VectorClock(new TreeMap<>());

    private final TreeMap<String, Entry> entries;

    private VectorClock(TreeMap<String, Entry> entries) {
        this.entries = entries;
    }

    public static VectorClock empty() {
        return EMPTY;
    }

    public static VectorClock of(Map<String, Entry> entries) {
        TreeMap<String, Entry> copy = new TreeMap<>();
        entries.forEach((id, e) -> {
            if (e.counter() > 0) {
                copy.put(id, e);
            }
        });
        return new VectorClock(copy);
    }

    public Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public long counter(String coordinator) {
        Entry e = entries.get(coordinator);
        return e == null ? 0 : e.counter();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** This clock after one more write by {@code coordinator} at {@code now}, pruned to the bound. */
    public VectorClock increment(String coordinator, long now) {
        TreeMap<String, Entry> next = new TreeMap<>(entries);
        next.put(coordinator, new Entry(counter(coordinator) + 1, now));
        while (next.size() > MAX_ENTRIES) {
            String oldest = null;
            for (var e : next.entrySet()) {
                if (!e.getKey().equals(coordinator)
                        && (oldest == null || e.getValue().timestamp() < next.get(oldest).timestamp())) {
                    oldest = e.getKey();
                }
            }
            next.remove(oldest);
        }
        return new VectorClock(next);
    }

    /** The least clock that descends from both (pointwise maximum). */
    public VectorClock merge(VectorClock other) {
        TreeMap<String, Entry> merged = new TreeMap<>(entries);
        other.entries.forEach((id, theirs) -> merged.merge(id, theirs,
                (mine, t) -> mine.counter() >= t.counter() ? mine : t));
        return new VectorClock(merged);
    }

    /** Whether this clock has seen every write {@code other} has seen (this descends from, or equals, other). */
    public boolean descends(VectorClock other) {
        for (var e : other.entries.entrySet()) {
            if (counter(e.getKey()) < e.getValue().counter()) {
                return false;
            }
        }
        return true;
    }

    public Order compare(VectorClock other) {
        boolean geq = descends(other);
        boolean leq = other.descends(this);
        if (geq && leq) {
            return Order.EQUAL;
        }
        if (geq) {
            return Order.AFTER;
        }
        if (leq) {
            return Order.BEFORE;
        }
        return Order.CONCURRENT;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VectorClock other)) {
            return false;
        }
        return compare(other) == Order.EQUAL;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (var e : entries.entrySet()) {
            h = 31 * h + Objects.hash(e.getKey(), e.getValue().counter());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        entries.forEach((id, e) -> sb.append(sb.length() > 1 ? ", " : "").append(id).append('=').append(e.counter()));
        return sb.append('}').toString();
    }
}
