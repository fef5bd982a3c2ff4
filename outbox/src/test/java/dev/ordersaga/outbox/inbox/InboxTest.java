package dev.ordersaga.outbox.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.transport.CloudEventsBatch;
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
    void aBatchWhoseSenderGaveUpStillCommitsSoItsNextTryFindsDuplicates() throws Exception {
        String aggregate = "gave-up-" + UUID.randomUUID();
        Envelope held = new Envelope(UUID.randomUUID(), "Ping", aggregate, 1, null, Instant.now(),
                mapper.createObjectNode().put("hold", true), null);
        byte[] body = new CloudEventsBatch(mapper).encode(List.of(held), "/test");
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        // the sender gives up (its timeout) and closes its connection while the batch's transaction waits in the handler
        int clientPort;
        try (Socket socket = new Socket("localhost", port)) {
            clientPort = socket.getLocalPort();
            OutputStream out = socket.getOutputStream();
            out.write(("POST /test/inbox HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + CloudEventsBatch.MEDIA_TYPE
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            await().atMost(WAIT).until(() -> PostgresResource.server().number("outbox_test",
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") > 0);
        }
        // the server saw the close and closed its side: our end of the connection is in TIME_WAIT (or gone)
        await().atMost(WAIT).until(() -> closedByTheServer(clientPort));
        handler.release();
        await().atMost(WAIT).until(() -> PostgresResource.server().number("outbox_test",
                "SELECT count(*) FROM inbox WHERE message_id = ?::uuid AND status = 'applied'", held.messageId().toString()) == 1);
        assertThat(handler.applied(aggregate)).containsExactly(aggregate + "#1");
        // its answer leaves right after the commit, not after its claim's lease (30 s here)
        await().atMost(WAIT).until(() -> answers(aggregate, "sent") == 1);
        assertThat(receive(held).outcome()).as("the next try").isEqualTo(InboxOutcome.Status.DUPLICATE);
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

    /** Whether the kernel shows our end of a connection from {@code localPort} closed by both sides. */
    private static boolean closedByTheServer(int localPort) throws IOException {
        String port = String.format(":%04X ", localPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                // local address, then remote address, then the state (06 = TIME_WAIT)
                if (f.length > 3 && (f[1] + " ").endsWith(port) && !"06".equals(f[3])) {
                    return false;
                }
            }
        }
        return true;
    }
}
