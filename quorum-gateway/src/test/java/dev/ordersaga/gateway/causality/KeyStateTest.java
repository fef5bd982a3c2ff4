package dev.ordersaga.gateway.causality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class KeyStateTest {

    /** A node: its stored state of one key and its actor id; writes draw dots from one counter. */
    private static final class Node {
        final String actor;
        KeyState state = KeyState.empty();
        long counter;

        Node(String actor) {
            this.actor = actor;
        }

        /** Accepts a write made after reading {@code context}; returns the new state (to replicate). */
        KeyState write(String value, VersionVector context) {
            counter = Math.max(counter, state.vector().get(actor)) + 1;
            state = state.update(context, sibling(new Dot(actor, counter), value));
            return state;
        }

        void receive(KeyState other) {
            state = state.join(other);
        }
    }

    private static Sibling sibling(Dot dot, String value) {
        return new Sibling(dot, value.getBytes(StandardCharsets.UTF_8), "text/plain", false, 0, "g");
    }

    private static Set<String> values(KeyState s) {
        return s.live().stream().map(v -> new String(v.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void aWriteWithTheContextOfAReadReplacesWhatTheReadSaw() {
        Node a = new Node("a");
        KeyState one = a.write("one", VersionVector.empty());
        a.write("two", one.vector());
        assertThat(values(a.state)).containsExactly("two");
    }

    @Test
    void twoWritesWithoutContextThroughOneNodeStaySiblings() {
        Node a = new Node("a");
        a.write("first", VersionVector.empty());
        a.write("second", VersionVector.empty());
        assertThat(values(a.state)).containsExactly("first", "second");
    }

    /**
     * The loss of the old design: one node's writes reach another node out of order, a reader sees
     * the later dot only, and its write must not replace the earlier one it never saw.
     */
    @Test
    void aReaderThatSawOnlyALaterDotOfANodeDoesNotReplaceTheEarlierOne() {
        Node a = new Node("a");
        Node b = new Node("b");
        KeyState afterFirst = a.write("first", VersionVector.empty());
        KeyState afterSecond = a.write("second", VersionVector.empty());
        // b receives the state after the second write first: that state holds the first write too.
        b.receive(afterSecond);
        assertThat(values(b.state)).containsExactly("first", "second");
        b.receive(afterFirst);
        // A reader of b writes with what it saw: both writes are replaced, since it saw both.
        b.write("resolved", b.state.vector());
        assertThat(values(b.state)).containsExactly("resolved");
        // A reader that saw only the first write's state replaces only that one.
        Node c = new Node("c");
        c.receive(afterFirst);
        c.write("from-c", afterFirst.vector());
        c.receive(afterSecond);
        assertThat(values(c.state)).containsExactly("from-c", "second");
    }

    @Test
    void aReplacedVersionThatArrivesLateStaysReplaced() {
        Node a = new Node("a");
        Node b = new Node("b");
        KeyState old = a.write("old", VersionVector.empty());
        b.receive(old);
        KeyState replaced = b.write("new", b.state.vector());
        Node c = new Node("c");
        c.receive(replaced);
        c.receive(old);
        assertThat(values(c.state)).containsExactly("new");
    }

    @Test
    void joinIsCommutativeAssociativeAndIdempotentUnderRandomHistories() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<Node> nodes = List.of(new Node("a"), new Node("b"), new Node("c"));
            List<KeyState> produced = new ArrayList<>();
            for (int step = 0; step < 12; step++) {
                Node n = nodes.get(random.nextInt(3));
                if (random.nextBoolean() && !produced.isEmpty()) {
                    n.receive(produced.get(random.nextInt(produced.size())));
                } else {
                    VersionVector context = random.nextBoolean() ? n.state.vector() : VersionVector.empty();
                    produced.add(n.write("v" + round + "-" + step, context));
                }
            }
            KeyState x = nodes.get(0).state;
            KeyState y = nodes.get(1).state;
            KeyState z = nodes.get(2).state;
            assertThat(x.join(y)).isEqualTo(y.join(x));
            assertThat(x.join(y).join(z)).isEqualTo(x.join(y.join(z)));
            assertThat(x.join(x)).isEqualTo(x);
            assertThat(x.join(y).join(y)).isEqualTo(x.join(y));
        }
    }

    /**
     * Every write made is either still held after every state is exchanged, or was replaced by a
     * write whose context had seen it: nothing disappears otherwise, whatever order states travel in.
     */
    @Test
    void noWriteDisappearsUnlessAWriteThatSawItReplacedIt() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<Node> nodes = List.of(new Node("a"), new Node("b"), new Node("c"));
            List<KeyState> inFlight = new ArrayList<>();
            Map<String, Set<String>> observedBy = new HashMap<>();
            Set<String> written = new TreeSet<>();
            for (int step = 0; step < 15; step++) {
                Node n = nodes.get(random.nextInt(3));
                if (random.nextInt(3) == 0 && !inFlight.isEmpty()) {
                    n.receive(inFlight.remove(random.nextInt(inFlight.size())));
                } else {
                    boolean withContext = random.nextBoolean();
                    Set<String> seen = withContext ? values(n.state) : Set.of();
                    VersionVector context = withContext ? n.state.vector() : VersionVector.empty();
                    String value = "v" + step;
                    written.add(value);
                    observedBy.put(value, seen);
                    inFlight.add(n.write(value, context));
                }
            }
            KeyState all = KeyState.empty();
            for (Node n : nodes) {
                all = all.join(n.state);
            }
            for (KeyState s : inFlight) {
                all = all.join(s);
            }
            Set<String> held = values(all);
            for (String w : written) {
                boolean replaced = observedBy.values().stream().anyMatch(seen -> seen.contains(w));
                assertThat(held.contains(w) || replaced).as("round %d: %s lost (held %s)", round, w, held).isTrue();
            }
        }
    }

    @Test
    void aDotCannotBeUsedTwice() {
        Node a = new Node("a");
        KeyState s = a.write("x", VersionVector.empty());
        assertThatThrownBy(() -> s.update(VersionVector.empty(), sibling(new Dot("a", 1), "again")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTombstoneAloneIsReapable() {
        Node a = new Node("a");
        KeyState s = a.write("x", VersionVector.empty());
        KeyState deleted = s.update(s.vector(),
                new Sibling(new Dot("a", 2), new byte[0], "", true, 0, "g"));
        assertThat(deleted.onlyTombstone()).isTrue();
        assertThat(deleted.live()).isEmpty();
    }
}
