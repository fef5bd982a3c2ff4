package dev.ordersaga.gateway.causality;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one node holds for one key: the version vector of everything it has seen of the key, and the
 * siblings (versions nothing seen has replaced), ordered by dot. This is a dotted version vector
 * set. The same two rules run in Java and in the nodes' Lua scripts ({@code lua/lib.lua}):
 *
 * <ul>
 * <li>{@link #join}: a sibling survives unless the other state has seen its dot and no longer holds
 * it (it was replaced there). Joins are commutative, associative and idempotent, so replicas that
 * exchange states in any order and any number of times converge.
 * <li>{@link #update}: a write carrying the context a reader was given replaces exactly the
 * siblings whose dots that context has seen, never one the reader did not see.
 * </ul>
 * Immutable; pure.
 */
public record KeyState(VersionVector vector, List<Sibling> siblings) {

    private static final Comparator<Sibling> BY_DOT = Comparator.comparing(Sibling::dot);
    private static final KeyState EMPTY = new KeyState(VersionVector.empty(), List.of());

    public KeyState {
        List<Sibling> sorted = new ArrayList<>(siblings);
        sorted.sort(BY_DOT);
        siblings = List.copyOf(sorted);
    }

    public static KeyState empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return siblings.isEmpty() && vector.isEmpty();
    }

    /** The siblings that are values, not deletions. */
    public List<Sibling> live() {
        return siblings.stream().filter(s -> !s.deleted()).toList();
    }

    /** Whether the only thing held is one tombstone (the key can be reaped once every node holds just that). */
    public boolean onlyTombstone() {
        return siblings.size() == 1 && siblings.get(0).deleted();
    }

    /** Bytes of the siblings' values. */
    public long bytes() {
        long total = 0;
        for (Sibling s : siblings) {
            total += s.value().length;
        }
        return total;
    }

    /** The state that holds what both hold: see the class comment. */
    public KeyState join(KeyState other) {
        if (other.isEmpty() || this.equals(other)) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Set<Dot> mine = dots(siblings);
        Set<Dot> theirs = dots(other.siblings);
        List<Sibling> kept = new ArrayList<>();
        for (Sibling s : siblings) {
            if (theirs.contains(s.dot()) || !other.vector.covers(s.dot())) {
                kept.add(s);
            }
        }
        for (Sibling s : other.siblings) {
            if (!mine.contains(s.dot()) && !vector.covers(s.dot())) {
                kept.add(s);
            }
        }
        return new KeyState(vector.max(other.vector), kept);
    }

    /** Joins any number of states (an empty collection gives the empty state). */
    public static KeyState joinAll(Collection<KeyState> states) {
        KeyState result = EMPTY;
        for (KeyState s : states) {
            result = result.join(s);
        }
        return result;
    }

    /**
     * A new write: the siblings the writer's {@code context} has seen are replaced by {@code sibling},
     * whose dot the accepting node has just drawn. The vector takes in the context, so that a replaced
     * version that reaches this node later is recognised as replaced.
     */
    public KeyState update(VersionVector context, Sibling sibling) {
        if (vector.covers(sibling.dot()) || context.covers(sibling.dot())) {
            throw new IllegalArgumentException("dot " + sibling.dot() + " was already used");
        }
        List<Sibling> kept = new ArrayList<>();
        for (Sibling s : siblings) {
            if (!context.covers(s.dot())) {
                kept.add(s);
            }
        }
        kept.add(sibling);
        return new KeyState(vector.max(context).with(sibling.dot()), kept);
    }

    /** The siblings a write with {@code context} would leave in place (not replaced). */
    public List<Sibling> notSeenBy(VersionVector context) {
        return siblings.stream().filter(s -> !context.covers(s.dot())).toList();
    }

    private static Set<Dot> dots(List<Sibling> siblings) {
        Set<Dot> dots = new HashSet<>();
        siblings.forEach(s -> dots.add(s.dot()));
        return dots;
    }
}
