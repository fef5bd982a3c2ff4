package dev.ordersaga.gateway.clock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordersaga.gateway.clock.VectorClock.Entry;
import dev.ordersaga.gateway.clock.VectorClock.Order;

class VectorClockTest {

    private static VectorClock clock(Object... idAndCounter) {
        var map = new java.util.HashMap<String, Entry>();
        for (int i = 0; i < idAndCounter.length; i += 2) {
            map.put((String) idAndCounter[i], new Entry(((Number) idAndCounter[i + 1]).longValue(), 0));
        }
        return VectorClock.of(map);
    }

    @Test
    void emptyClocksAreEqual() {
        assertThat(VectorClock.empty().compare(VectorClock.empty())).isEqualTo(Order.EQUAL);
    }

    @Test
    void anIncrementDescendsFromItsParent() {
        VectorClock parent = clock("a", 1);
        VectorClock child = parent.increment("a", 5);
        assertThat(child.compare(parent)).isEqualTo(Order.AFTER);
        assertThat(parent.compare(child)).isEqualTo(Order.BEFORE);
        assertThat(child.counter("a")).isEqualTo(2);
    }

    @Test
    void writesByTwoCoordinatorsFromTheSameParentAreConcurrent() {
        VectorClock parent = clock("a", 1);
        VectorClock left = parent.increment("a", 1);
        VectorClock right = parent.increment("b", 1);
        assertThat(left.compare(right)).isEqualTo(Order.CONCURRENT);
        assertThat(right.compare(left)).isEqualTo(Order.CONCURRENT);
    }

    @Test
    void mergeDescendsFromBothAndIsTheLeastSuchClock() {
        VectorClock left = clock("a", 3, "b", 1);
        VectorClock right = clock("a", 1, "b", 2, "c", 4);
        VectorClock merged = left.merge(right);
        assertThat(merged.compare(left)).isEqualTo(Order.AFTER);
        assertThat(merged.compare(right)).isEqualTo(Order.AFTER);
        assertThat(merged).isEqualTo(clock("a", 3, "b", 2, "c", 4));
        assertThat(merged.merge(left)).isEqualTo(merged);
    }

    @Test
    void mergeIsCommutativeAndIdempotent() {
        VectorClock x = clock("a", 3, "b", 1);
        VectorClock y = clock("b", 5, "d", 2);
        assertThat(x.merge(y)).isEqualTo(y.merge(x));
        assertThat(x.merge(x)).isEqualTo(x);
    }

    @Test
    void aWriteWithTheMergedContextDominatesBothSiblings() {
        VectorClock left = clock("a", 2);
        VectorClock right = clock("b", 1);
        VectorClock resolved = left.merge(right).increment("a", 9);
        assertThat(resolved.compare(left)).isEqualTo(Order.AFTER);
        assertThat(resolved.compare(right)).isEqualTo(Order.AFTER);
    }

    @Test
    void zeroCountersAreNotEntries() {
        assertThat(clock("a", 0)).isEqualTo(VectorClock.empty());
        assertThat(clock("a", 0).isEmpty()).isTrue();
    }

    @Test
    void pruningKeepsTheBoundAndDropsTheOldestEntryButNeverTheWriter() {
        VectorClock c = VectorClock.empty();
        for (int i = 0; i < VectorClock.MAX_ENTRIES; i++) {
            c = c.increment("g" + i, 100 + i);
        }
        assertThat(c.entries()).hasSize(VectorClock.MAX_ENTRIES);
        VectorClock pruned = c.increment("newcomer", 1);
        assertThat(pruned.entries()).hasSize(VectorClock.MAX_ENTRIES);
        assertThat(pruned.counter("newcomer")).isEqualTo(1);
        assertThat(pruned.counter("g0")).isZero();
        assertThat(pruned.counter("g1")).isEqualTo(1);
    }

    @Test
    void pruningCanOnlyTurnDescentIntoConcurrencyNeverIntoDominance() {
        VectorClock c = VectorClock.empty();
        for (int i = 0; i < VectorClock.MAX_ENTRIES; i++) {
            c = c.increment("g" + i, 100 + i);
        }
        VectorClock pruned = c.increment("newcomer", 1);
        assertThat(pruned.compare(c)).isIn(Order.AFTER, Order.CONCURRENT);
        assertThat(c.compare(pruned)).isNotEqualTo(Order.AFTER);
    }

    @Test
    void entriesAreCopiedNotShared() {
        var map = new java.util.HashMap<String, Entry>(Map.of("a", new Entry(1, 0)));
        VectorClock c = VectorClock.of(map);
        map.put("b", new Entry(7, 0));
        assertThat(c.counter("b")).isZero();
    }
}
