package dev.ordersaga.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordersaga.gateway.clock.VectorClock;
import dev.ordersaga.gateway.clock.VectorClock.Entry;
import dev.ordersaga.gateway.quorum.ReadRepairPlanner;

class SiblingsTest {

    /** A version with dot (id, counter), written after reading the context given by the other pairs. */
    private static Version v(String value, String id, long counter, Object... contextIdAndCounter) {
        var map = new java.util.HashMap<String, Entry>();
        for (int i = 0; i < contextIdAndCounter.length; i += 2) {
            map.put((String) contextIdAndCounter[i], new Entry(((Number) contextIdAndCounter[i + 1]).longValue(), 0));
        }
        return new Version(VectorClock.of(map), new Version.Dot(id, counter), value.getBytes(StandardCharsets.UTF_8),
                "text/plain", false, 0);
    }

    @Test
    void aDescendantReplacesItsAncestor() {
        Version old = v("old", "a", 1);
        Version young = v("new", "a", 2, "a", 1);
        assertThat(Siblings.reconcile(List.of(old, young))).containsExactly(young);
        assertThat(Siblings.reconcile(List.of(young, old))).containsExactly(young);
    }

    @Test
    void concurrentVersionsAreBothKept() {
        Version left = v("left", "a", 1);
        Version right = v("right", "b", 1);
        assertThat(Siblings.reconcile(List.of(left, right))).containsExactlyInAnyOrder(left, right);
    }

    @Test
    void twoWritesFromTheSameContextThroughOneCoordinatorStaySiblings() {
        Version first = v("first", "g", 1);
        Version second = v("second", "g", 2);
        assertThat(Siblings.reconcile(List.of(first, second))).containsExactlyInAnyOrder(first, second);
        assertThat(Siblings.context(List.of(first, second)).counter("g")).isEqualTo(2);
    }

    @Test
    void theSameVersionSeenTwiceIsKeptOnce() {
        Version x = v("x", "a", 3);
        assertThat(Siblings.merge(List.of(x), List.of(x))).containsExactly(x);
    }

    @Test
    void aWriteWithTheMergedContextResolvesSiblings() {
        Version left = v("left", "a", 1);
        Version right = v("right", "b", 1);
        VectorClock context = Siblings.context(List.of(left, right));
        Version resolved = new Version(context, new Version.Dot("a", 2), "both".getBytes(StandardCharsets.UTF_8),
                "text/plain", false, 5);
        assertThat(Siblings.reconcile(List.of(left, right, resolved))).containsExactly(resolved);
    }

    @Test
    void tombstonesTakePartLikeAnyVersion() {
        Version live = v("live", "a", 1);
        Version tomb = new Version(VectorClock.of(Map.of("a", new Entry(1, 0))), new Version.Dot("a", 2), new byte[0],
                null, true, 0);
        assertThat(Siblings.reconcile(List.of(live, tomb))).containsExactly(tomb);
        assertThat(Siblings.live(List.of(tomb))).isEmpty();
    }

    @Test
    void mergeIsCommutative() {
        List<Version> a = List.of(v("1", "a", 2, "a", 1), v("2", "b", 1));
        List<Version> b = List.of(v("3", "c", 1, "a", 1), v("2", "b", 1));
        assertThat(Siblings.merge(a, b)).isEqualTo(Siblings.merge(b, a));
    }

    @Test
    void siblingsAreBoundedByDroppingTheOldest() {
        List<Version> many = new ArrayList<>();
        for (int i = 0; i < Siblings.MAX + 3; i++) {
            many.add(new Version(VectorClock.empty(), new Version.Dot("g" + i, 1), new byte[] { (byte) i }, null, false,
                    i));
        }
        List<Version> kept = Siblings.reconcile(many);
        assertThat(kept).hasSize(Siblings.MAX);
        assertThat(kept).noneMatch(x -> x.timestamp() < 3);
    }

    @Test
    void readRepairTargetsStaleAndMissingReplicasOnly() {
        Version old = v("old", "a", 1);
        Version young = v("new", "a", 2, "a", 1);
        Version other = v("other", "b", 1);
        var answers = Map.of(0, List.of(young, other), 1, List.of(old), 2, List.<Version>of());
        List<Version> merged = Siblings.merge(Siblings.merge(answers.get(0), answers.get(1)), answers.get(2));
        assertThat(merged).containsExactlyInAnyOrder(young, other);
        assertThat(ReadRepairPlanner.stale(answers, merged)).containsExactly(1, 2);
        assertThat(ReadRepairPlanner.stale(Map.of(0, merged, 1, merged), merged)).isEmpty();
    }
}
