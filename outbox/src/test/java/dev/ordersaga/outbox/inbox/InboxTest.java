package dev.ordersaga.outbox.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
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
        return new Envelope(id, "Ping", aggregate, seq, "req-" + seq, Instant.now(), mapper.createObjectNode().put("seq", seq));
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
}
