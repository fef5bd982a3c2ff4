package dev.ordersaga.gateway.causality;

/**
 * The name of one write: the replica node that accepted it first (its actor id) and that node's
 * counter. A node draws counters from one sequence for all keys, so a dot is never reused, not
 * even after a key was deleted and written again; a node whose data is lost gets a new actor id.
 */
public record Dot(String actor, long counter) implements Comparable<Dot> {

    public Dot {
        if (actor == null || actor.isEmpty() || counter < 1) {
            throw new IllegalArgumentException("a dot needs an actor and a counter >= 1");
        }
    }

    @Override
    public int compareTo(Dot o) {
        int c = actor.compareTo(o.actor);
        return c != 0 ? c : Long.compare(counter, o.counter);
    }

    @Override
    public String toString() {
        return actor + ":" + counter;
    }
}
