package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** Natural batching, and a batch size that shrinks when batches time out and grows back when they are answered. */
class DeliveryLaneTest {

    private final List<Integer> sizes = new ArrayList<>();

    private DeliveryLane lane(int maxMessages) {
        // one send slot that finishes at once: each batch takes what waits at that moment
        return new DeliveryLane(1, maxMessages, Long.MAX_VALUE, batch -> {
            sizes.add(batch.size());
            return Uni.createFrom().voidItem();
        });
    }

    private static List<DeliveryLane.Item> items(int n) {
        return IntStream.range(0, n).mapToObj(i -> new DeliveryLane.Item(null, null, 10, new CompletableFuture<>())).toList();
    }

    @Test
    void everythingWaitingLeavesInBatchesUpToTheMaximum() {
        DeliveryLane lane = lane(8);
        lane.offer(items(20));
        assertThat(sizes).containsExactly(8, 8, 4);
    }

    @Test
    void aTimedOutBatchHalvesTheNextOnesAndAnsweredBatchesGrowThemBackOneByOne() {
        DeliveryLane lane = lane(8);
        lane.timedOut(8);
        assertThat(lane.limit()).isEqualTo(4);
        lane.offer(items(10));
        assertThat(sizes).containsExactly(4, 4, 2);
        lane.timedOut(4);
        lane.timedOut(2);
        assertThat(lane.limit()).isEqualTo(1);
        lane.timedOut(1);
        assertThat(lane.limit()).as("never below one").isEqualTo(1);
        for (int i = 0; i < 20; i++) {
            lane.answered();
        }
        assertThat(lane.limit()).as("never above the maximum").isEqualTo(8);
    }

    @Test
    void aSmallBatchThatTimedOutHalvesFromItsOwnSize() {
        DeliveryLane lane = lane(100);
        lane.timedOut(10);
        assertThat(lane.limit()).isEqualTo(5);
    }

    @Test
    void aMessageClaimedAgainWhileTheLaneHoldsItIsSentOnceAndBothSendersLearnItsOutcome() {
        List<List<DeliveryLane.Item>> held = new ArrayList<>();
        List<io.smallrye.mutiny.subscription.UniEmitter<? super Void>> answers = new ArrayList<>();
        DeliveryLane lane = new DeliveryLane(1, 10, Long.MAX_VALUE, batch -> Uni.createFrom().emitter(e -> {
            held.add(batch);
            answers.add(e);
        }));
        OutboxMessage inFlight = row();
        OutboxMessage waiting = row();
        DeliveryLane.Item first = new DeliveryLane.Item(inFlight, null, 10, new CompletableFuture<>());
        lane.offer(List.of(first));
        lane.offer(List.of(new DeliveryLane.Item(waiting, null, 10, new CompletableFuture<>())));
        assertThat(lane.ids()).containsExactlyInAnyOrder(inFlight.id(), waiting.id());
        // both claimed again (their lease ran out): one is in flight, the other still waits
        DeliveryLane.Item again = new DeliveryLane.Item(inFlight, null, 10, new CompletableFuture<>());
        lane.offer(List.of(again, new DeliveryLane.Item(waiting, null, 10, new CompletableFuture<>())));
        assertThat(lane.waiting()).isEqualTo(1);
        answers.get(0).complete(null);
        assertThat(again.done()).as("the second sender learns the first send's outcome").isDone();
        answers.get(1).complete(null);
        assertThat(held).hasSize(2);
        assertThat(held.stream().flatMap(List::stream).map(i -> i.row().id()))
                .containsExactly(inFlight.id(), waiting.id());
        assertThat(lane.ids()).isEmpty();
    }

    private static OutboxMessage row() {
        return new OutboxMessage(java.util.UUID.randomUUID(), "test", "Ping", "a", 1, "{}", null, null, "in_flight", 1,
                null, "me", null, null, null, null);
    }
}
