package dev.ordersaga.outbox.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * The inbox against a real PostgreSQL: a message is applied once however often it arrives, the
 * messages of one aggregate in sequence order, and what a handler sends goes out after the commit.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "outbox_test"))
class InboxTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Inbox inbox;

    @Inject
    TestHandler handler;

    @Inject
    ObjectMapper mapper;

    private Envelope message(UUID id, String aggregate, long seq) {
        return new Envelope(id, "Ping", aggregate, seq, "req-" + seq, Instant.now(), mapper.createObjectNode().put("seq", seq), null);
    }

    private Envelope refused(String aggregate, long seq) {
        return new Envelope(UUID.randomUUID(), "Ping", aggregate, seq, null, Instant.now(),
                mapper.createObjectNode().put("refuse", true), null);
    }

    private Map<UUID, String> receiveBatch(Envelope... batch) {
        Map<UUID, String> outcomes = new HashMap<>();
        for (BatchResult r : inbox.receiveBatch("test", List.of(batch), handler).await().atMost(WAIT)) {
            assertThat(outcomes.put(r.id(), r.outcome())).as("one result per message").isNull();
        }
        assertThat(outcomes).hasSize(batch.length);
        return outcomes;
    }

    private InboxOutcome receive(Envelope e) {
        return inbox.receive("test", e, handler).await().atMost(WAIT);
    }

    private static long answers(String aggregate, String status) {
        return PostgresResource.server().number("outbox_test",
                "SELECT count(*) FROM outbox WHERE aggregate_id = ? AND status = ?", "answer-" + aggregate, status);
    }

    @Test
    void aMessageDeliveredTwiceIsAppliedOnceAndAnsweredOnce() {
        String aggregate = "dup-" + UUID.randomUUID();
        Envelope e = message(UUID.randomUUID(), aggregate, 1);
        assertThat(receive(e).outcome()).isEqualTo(InboxOutcome.Status.APPLIED);
        assertThat(receive(e).outcome()).isEqualTo(InboxOutcome.Status.DUPLICATE);
        assertThat(handler.applied(aggregate)).containsExactly(aggregate + "#1");
        // the answer was written in the inbox's transaction and sent after its commit
        await().atMost(WAIT).until(() -> answers(aggregate, "sent") == 1);
    }

    @Test
    void anEarlyMessageWaitsForItsPredecessorThenBothApplyInOrder() {
        String aggregate = "order-" + UUID.randomUUID();
        assertThat(receive(message(UUID.randomUUID(), aggregate, 2)).outcome()).isEqualTo(InboxOutcome.Status.DEFERRED);
        assertThat(handler.applied(aggregate)).isEmpty();
        InboxOutcome first = receive(message(UUID.randomUUID(), aggregate, 1));
        assertThat(first.outcome()).isEqualTo(InboxOutcome.Status.APPLIED);
        assertThat(first.applied()).isEqualTo(2);
        assertThat(handler.applied(aggregate)).containsExactly(aggregate + "#1", aggregate + "#2");
        await().atMost(WAIT).until(() -> answers(aggregate, "sent") == 2);
    }

    @Test
    void aBatchIsTakenInOneGoEachMessageOnceAndADeliveredTwiceBatchIsAllDuplicates() {
        String a = "batch-a-" + UUID.randomUUID();
        String b = "batch-b-" + UUID.randomUUID();
        Envelope a1 = message(UUID.randomUUID(), a, 1);
        Envelope b1 = message(UUID.randomUUID(), b, 1);
        Envelope b2 = message(UUID.randomUUID(), b, 2);

        assertThat(receiveBatch(a1, b1, b2)).containsEntry(a1.messageId(), "applied")
                .containsEntry(b1.messageId(), "applied").containsEntry(b2.messageId(), "applied");
        // the receiver committed but its answer was lost: the sender sends the same batch again
        assertThat(receiveBatch(a1, b1, b2).values()).containsOnly("duplicate");

        assertThat(handler.applied(a)).containsExactly(a + "#1");
        assertThat(handler.applied(b)).containsExactly(b + "#1", b + "#2");
        await().atMost(WAIT).until(() -> answers(a, "sent") == 1 && answers(b, "sent") == 2);
    }

    @Test
    void twoMessagesOfOneOrderInOneBatchApplyInSequenceWhicheverComesFirst() {
        String aggregate = "pair-" + UUID.randomUUID();
        Envelope second = message(UUID.randomUUID(), aggregate, 2);
        Envelope first = message(UUID.randomUUID(), aggregate, 1);

        assertThat(receiveBatch(second, first).values()).containsOnly("applied");

        assertThat(handler.applied(aggregate)).containsExactly(aggregate + "#1", aggregate + "#2");
    }

    @Test
    void messagesInTheWrongOrderAcrossBatchesWaitAndApplyInSequence() {
        String aggregate = "across-" + UUID.randomUUID();
        Envelope third = message(UUID.randomUUID(), aggregate, 3);
        Envelope second = message(UUID.randomUUID(), aggregate, 2);
        Envelope first = message(UUID.randomUUID(), aggregate, 1);

        assertThat(receiveBatch(third)).containsEntry(third.messageId(), "waiting");
        assertThat(receiveBatch(second)).containsEntry(second.messageId(), "waiting");
        assertThat(handler.applied(aggregate)).isEmpty();
        assertThat(receiveBatch(first)).containsEntry(first.messageId(), "applied");

        assertThat(handler.applied(aggregate)).containsExactly(aggregate + "#1", aggregate + "#2", aggregate + "#3");
        await().atMost(WAIT).until(() -> answers(aggregate, "sent") == 3);
    }

    @Test
    void aPoisonInABatchIsRefusedAloneAndTheRestOfTheBatchCommits() {
        String good = "good-" + UUID.randomUUID();
        String bad = "bad-" + UUID.randomUUID();
        String other = "other-" + UUID.randomUUID();
        Envelope g1 = message(UUID.randomUUID(), good, 1);
        Envelope poison = refused(bad, 1);
        Envelope o1 = message(UUID.randomUUID(), other, 1);

        Map<UUID, String> outcomes = receiveBatch(g1, poison, o1);

        assertThat(outcomes).containsEntry(g1.messageId(), "applied").containsEntry(poison.messageId(), "poison")
                .containsEntry(o1.messageId(), "applied");
        await().atMost(WAIT).until(() -> answers(good, "sent") == 1 && answers(other, "sent") == 1);
        assertThat(answers(bad, "sent") + answers(bad, "pending")).isZero();
        // the refused message left no trace: once fixed, it is taken as new
        Envelope fixed = new Envelope(poison.messageId(), "Ping", bad, 1, null, Instant.now(),
                mapper.createObjectNode().put("seq", 1), null);
        assertThat(receiveBatch(fixed)).containsEntry(poison.messageId(), "applied");
        assertThat(handler.applied(bad)).containsExactly(bad + "#1");
    }
}
