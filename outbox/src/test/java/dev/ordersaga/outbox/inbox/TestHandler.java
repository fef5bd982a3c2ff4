package dev.ordersaga.outbox.inbox;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.NewMessage;
import dev.ordersaga.outbox.TestTransport;
import dev.ordersaga.outbox.UnitOfWork;

/**
 * Applies test messages: records each, and answers with a message to the test destination; refuses
 * (400) a message whose payload says {@code "refuse": true}.
 */
@ApplicationScoped
public class TestHandler implements InboxHandler {

    private final List<String> applied = new CopyOnWriteArrayList<>();

    @Override
    public String source() {
        return "test";
    }

    @Override
    public Uni<Void> apply(UnitOfWork.Tx tx, Envelope envelope) {
        if (envelope.payload().path("refuse").asBoolean()) {
            throw ProblemException.badRequest("refused", "this test message is refused");
        }
        if (envelope.payload().path("hold").asBoolean()) {
            // waits, inside the transaction, until the test lets it go
            return Uni.createFrom().completionStage(held).chain(() -> applyNow(tx, envelope));
        }
        return applyNow(tx, envelope);
    }

    private volatile CompletableFuture<Void> held = new CompletableFuture<>();

    /** Lets every message that holds go on (and the next ones that hold wait again). */
    public void release() {
        CompletableFuture<Void> was = held;
        held = new CompletableFuture<>();
        was.complete(null);
    }

    private Uni<Void> applyNow(UnitOfWork.Tx tx, Envelope envelope) {
        applied.add(envelope.aggregateId() + "#" + envelope.seq());
        return tx.send(new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, "answer-" + envelope.aggregateId(),
                Map.of("seq", envelope.seq()), envelope.requestId())).replaceWithVoid();
    }

    /** {@code aggregate#seq} of every message applied, in order. */
    public List<String> applied(String aggregate) {
        return applied.stream().filter(a -> a.startsWith(aggregate + "#")).toList();
    }
}
