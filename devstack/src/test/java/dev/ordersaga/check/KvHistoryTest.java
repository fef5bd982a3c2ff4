package dev.ordersaga.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordersaga.check.KvHistory.Outcome;

/** The checker finds what it is meant to find, and accepts what a correct store may do. */
class KvHistoryTest {

    @Test
    void anAcknowledgedWriteMissingFromTheFinalReadIsLost() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.write("c2", "k", 0, 10, Outcome.OK, "b", Set.of(), "");
        h.finalRead("k", Set.of("b"));
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactly("lost write");
    }

    @Test
    void aWriteReplacedByOneWhoseReaderSawItIsNotLostEvenThroughAChain() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.write("c2", "k", 20, 30, Outcome.UNKNOWN, "b", Set.of("a"), "");
        h.write("c3", "k", 40, 50, Outcome.OK, "c", Set.of("b"), "");
        h.finalRead("k", Set.of("c"));
        assertThat(h.check()).isEmpty();
    }

    @Test
    void aReplacementByAWriteThatNeverSawTheValueDoesNotCount() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.write("c1", "k", 0, 10, Outcome.OK, "x", Set.of(), "");
        h.write("c2", "k", 20, 30, Outcome.OK, "b", Set.of("x"), "");
        h.finalRead("k", Set.of("b"));
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactly("lost write");
    }

    @Test
    void aReadThatMissesAWriteAcknowledgedBeforeItBeganIsStaleButAConcurrentOneIsNot() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.write("c1", "k", 15, 40, Outcome.OK, "b", Set.of("a"), "");
        h.read("r", "k", 20, 30, Outcome.OK, Set.of("a"), "");
        h.read("r", "k", 50, 60, Outcome.OK, Set.of("a"), "");
        h.read("r", "k", 50, 60, Outcome.OK, Set.of(), "");
        h.finalRead("k", Set.of("b"));
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactly("stale read", "stale read", "stale read");
    }

    @Test
    void aDeletedValueShownAgainAfterTheDeleteIsAResurrection() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.delete("c1", "k", 20, 30, Outcome.OK, "del-1", Set.of("a"), "");
        h.read("r", "k", 40, 50, Outcome.OK, Set.of(), "");
        h.read("r", "k", 60, 70, Outcome.OK, Set.of("a"), "");
        h.finalRead("k", Set.of("a"));
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactlyInAnyOrder("resurrection", "resurrection");
    }

    @Test
    void aDeleteStandsInForWhatItReplacedAndAConcurrentReadMayStillShowIt() {
        KvHistory h = new KvHistory();
        h.write("c1", "k", 0, 10, Outcome.OK, "a", Set.of(), "");
        h.write("c2", "k", 0, 10, Outcome.OK, "b", Set.of(), "");
        h.delete("c1", "k", 20, 30, Outcome.UNKNOWN, "del-1", Set.of("a"), "");
        h.read("r", "k", 25, 28, Outcome.OK, Set.of("a", "b"), "");
        h.read("r", "k", 40, 50, Outcome.OK, Set.of("b"), "");
        h.finalRead("k", Set.of("b"));
        assertThat(h.check()).isEmpty();
    }

    @Test
    void aValueNobodyWroteIsAPhantom() {
        KvHistory h = new KvHistory();
        h.read("r", "k", 0, 10, Outcome.OK, Set.of("ghost"), "");
        h.write("c", "k", 20, 30, Outcome.OK, "late", Set.of(), "");
        h.read("r", "k", 0, 10, Outcome.OK, Set.of("late"), "");
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactly("phantom", "phantom");
    }

    @Test
    void aRegisterNeverShowsAnAcknowledgedValueBesideItsSuccessor() {
        KvHistory h = new KvHistory();
        h.register("k");
        h.write("w", "k", 0, 10, Outcome.OK, "1", Set.of(), "");
        h.write("w", "k", 20, 30, Outcome.OK, "2", Set.of(), "");
        h.write("w", "k", 40, 50, Outcome.UNKNOWN, "3", Set.of("2"), "");
        h.read("r", "k", 60, 70, Outcome.OK, Set.of("1", "2"), "");
        assertThat(h.check()).extracting(KvHistory.Violation::property).containsExactly("register");
    }
}
