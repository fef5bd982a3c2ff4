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

    private static Version v(String value, Object... idAndCounter) {
        var map = new java.util.HashMap<String, Entry>();
        for (int i = 0; i < idAndCounter.length; i += 2) {
            map.put((String) idAndCounter[i], new Entry(((Number) idAndCounter[i + 1]).longValue(), 0));
        }
        return new Version(VectorClock.of(map), value.getBytes(StandardCharsets.UTF_8), "text/plain", false, 0);
    }

    @Test
    void aDescendantReplacesItsAncestor() {
        Version old = v("old", "a", 1);
        Version young = v("new", "a", 2);
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
    void theSameVersionSeenTwiceIsKeptOnce() {
        Version x = v("x", "a", 3);
        assertThat(Siblings.merge(List.of(x), List.of(x))).containsExactly(x);
    }

    @Test
    void aWriteWithTheMergedContextResolvesSiblings() {
        Version left = v("left", "a", 1);
        Version right = v("right", "b", 1);
        VectorClock context = Siblings.context(List.of(left, right));
        Version resolved = new Version(context.increment("a", 5), "both".getBytes(StandardCharsets.UTF_8), "text/plain",
                false, 5);
        assertThat(Siblings.reconcile(List.of(left, right, resolved))).containsExactly(resolved);
    }

    @Test
    void tombstonesTakePartLikeAnyVersion() {
        Version live = v("live", "a", 1);
        Version tomb = Version.tombstone(VectorClock.of(Map.of("a", new Entry(2, 0))), 0);
        assertThat(Siblings.reconcile(List.of(live, tomb))).containsExactly(tomb);
        assertThat(Siblings.live(List.of(tomb))).isEmpty();
    }

    @Test
    void mergeIsCommutative() {
        List<Version> a = List.of(v("1", "a", 2), v("2", "b", 1));
        List<Version> b = List.of(v("3", "a", 1, "c", 1), v("2", "b", 1));
        assertThat(Siblings.merge(a, b)).isEqualTo(Siblings.merge(b, a));
    }

    @Test
    void siblingsAreBoundedByDroppingTheOldest() {
        List<Version> many = new ArrayList<>();
        for (int i = 0; i < Siblings.MAX + 3; i++) {
            var clock = VectorClock.of(Map.of("g" + i, new Entry(1, i)));
            many.add(new Version(clock, new byte[] { (byte) i }, null, false, i));
        }
        List<Version> kept = Siblings.reconcile(many);
        assertThat(kept).hasSize(Siblings.MAX);
        assertThat(kept).noneMatch(x -> x.timestamp() < 3);
    }

    @Test
    void readRepairTargetsStaleAndMissingReplicasOnly() {
        Version old = v("old", "a", 1);
        Version young = v("new", "a", 2);
        Version other = v("other", "b", 1);
        var answers = Map.of(0, List.of(young, other), 1, List.of(old), 2, List.<Version>of());
        List<Version> merged = Siblings.merge(Siblings.merge(answers.get(0), answers.get(1)), answers.get(2));
        assertThat(merged).containsExactlyInAnyOrder(young, other);
        assertThat(ReadRepairPlanner.stale(answers, merged)).containsExactly(1, 2);
        assertThat(ReadRepairPlanner.stale(Map.of(0, merged, 1, merged), merged)).isEmpty();
    }
}
