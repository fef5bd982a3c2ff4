package dev.ordersaga.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.smallrye.mutiny.Uni;

/**
 * Delivers outbox messages to one destination. Each service provides one bean per destination that
 * only makes the call (a REST client); the publisher wraps it in a {@link GuardedTransport} built
 * from {@link #guards()}. A transport fails with {@link PoisonMessageException} for a message it can
 * never deliver, and with the client's own exception otherwise.
 */
public interface MessageTransport {

    /** The outbox destination this transport serves (the {@code destination} column). */
    String destination();

    /**
     * The message types the destination takes. A row of another type is dead-lettered before any
     * call, so that a poison message never counts against the circuit breaker, nor waits for it.
     */
    Set<String> types();

    /**
     * Sends one message; completes once the receiver has acknowledged it. Called through the guards
     * only. {@code traceparent} is the W3C trace context of this delivery (a child of the span that
     * wrote the row), for the call's {@code traceparent} header; null when there is none.
     */
    Uni<Void> deliver(Envelope envelope, String traceparent);

    /**
     * Sends a batch of messages of this destination; the answer says what became of each, in any
     * order. The Uni fails when the call as a whole failed (nothing is known of any message then).
     * By default the messages are sent with {@link #deliver} one after the other (so that
     * {@code OUTBOX_MAX_IN_FLIGHT} bounds the calls in flight); the first failure that is not the
     * message's own fault ends the batch, the rest failing with it, and a batch of which nothing got
     * through fails as a whole (so the destination's breaker counts it). A transport whose receiver
     * takes batches sends the batch in one call instead.
     */
    default Uni<List<MessageResult>> deliverBatch(List<Envelope> batch) {
        return deliverInTurn(batch, 0, new ArrayList<>());
    }

    /**
     * Messages one {@link #deliverBatch} call carries at most (and {@code OUTBOX_BATCH_MAX} bounds it):
     * 1 unless the transport sends a batch as one call, so that a call's timeout is that of one message.
     */
    default int maxBatch() {
        return 1;
    }

    private Uni<List<MessageResult>> deliverInTurn(List<Envelope> batch, int next, List<MessageResult> done) {
        if (next == batch.size()) {
            return Uni.createFrom().item(done);
        }
        Envelope e = batch.get(next);
        return deliver(e, e.traceparent())
                .map(ok -> MessageResult.taken(e.messageId(), "delivered"))
                .onFailure().recoverWithItem(f -> FailureClassifier.classify(f).messageFault()
                        ? MessageResult.poison(e.messageId(), FailureClassifier.classify(f).detail())
                        : MessageResult.failed(e.messageId(), f))
                .onItem().transformToUni(result -> {
                    done.add(result);
                    if (result.status() != MessageResult.Status.FAILED) {
                        return deliverInTurn(batch, next + 1, done);
                    }
                    if (done.stream().allMatch(r -> r.status() == MessageResult.Status.FAILED)) {
                        return Uni.createFrom().<List<MessageResult>> failure(result.failure());
                    }
                    batch.subList(next + 1, batch.size())
                            .forEach(rest -> done.add(MessageResult.failed(rest.messageId(), result.failure())));
                    return Uni.createFrom().item(done);
                });
    }

    /** Timeout, retries and breaker delay of this destination's calls, from the service's configuration. */
    DeliveryGuards guards();

    /**
     * Whether this destination's messages are retried until delivered: never dead-lettered for a
     * cause that may pass (a timeout, a refused connection, a 5xx, a refused credential, an open
     * breaker), only for a fault of the message itself (unknown type, unreadable payload, a 4xx
     * refusal): that one message is parked and the others go on. For a receiver whose state must
     * converge, such as a read model, where a lost message is a lost change unless something else
     * (a reconciler) repairs it.
     */
    default boolean retriesUntilDelivered() {
        return false;
    }

    /**
     * How long after its commit a message may first be sent (zero: at once). A transport uses it to
     * model a lagging receiver on purpose, e.g. a replica that is kept behind to show stale reads.
     */
    default Duration holdBack() {
        return Duration.ZERO;
    }
}
