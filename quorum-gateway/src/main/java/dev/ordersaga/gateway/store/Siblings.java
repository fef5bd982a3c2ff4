package dev.ordersaga.gateway.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import dev.ordersaga.gateway.clock.VectorClock;

/**
 * The set of versions of one key whose writes no other version has seen. Pure.
 *
 * <p>Bound: at most {@link #MAX} siblings. Past it the oldest sibling (by write time) is dropped, the
 * only place where time decides anything; it is reported in metrics, and a client that reads and
 * writes with the merged context never gets there.
 */
public final class Siblings {

    /** Siblings kept at most per key. */
    public static final int MAX = 16;

    /** A stable order of siblings, so that equal sets compare and hash equal on every replica. */
    private static final Comparator<Version> ORDER = Comparator
            .comparing((Version v) -> v.dot().coordinator())
            .thenComparingLong(v -> v.dot().counter());

    private Siblings() {
    }

    /** Drops every version whose write another version has seen; the same write seen twice is kept once. */
    public static List<Version> reconcile(Collection<Version> versions) {
        List<Version> kept = new ArrayList<>();
        for (Version candidate : versions) {
            boolean covered = versions.stream().anyMatch(other -> other.covers(candidate));
            if (!covered && kept.stream().noneMatch(k -> k.dot().equals(candidate.dot()))) {
                kept.add(candidate);
            }
        }
        kept.sort(ORDER);
        return bound(kept);
    }

    /** The union of two replicas' views, reconciled. */
    public static List<Version> merge(Collection<Version> a, Collection<Version> b) {
        List<Version> all = new ArrayList<>(a);
        all.addAll(b);
        return reconcile(all);
    }

    /** The causal context of a read: a write carrying it replaces every version read. */
    public static VectorClock context(Collection<Version> versions) {
        VectorClock merged = VectorClock.empty();
        for (Version v : versions) {
            merged = merged.merge(v.clock());
        }
        return merged;
    }

    /** The live (not deleted) siblings. */
    public static List<Version> live(Collection<Version> versions) {
        return versions.stream().filter(v -> !v.deleted()).toList();
    }

    /** Whether two replicas hold the same versions. */
    public static boolean same(Collection<Version> a, Collection<Version> b) {
        return reconcile(a).equals(reconcile(b));
    }

    static List<Version> bound(List<Version> versions) {
        if (versions.size() <= MAX) {
            return versions;
        }
        List<Version> newest = new ArrayList<>(versions);
        newest.sort(Comparator.comparingLong(Version::timestamp).reversed());
        List<Version> kept = new ArrayList<>(newest.subList(0, MAX));
        kept.sort(ORDER);
        return kept;
    }
}
