package dev.ordersaga.outbox;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import jakarta.enterprise.util.TypeLiteral;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;

/**
 * Every delivery from an outbox goes through here, a batch per call: one guarded transport per destination,
 * built with SmallRye Fault Tolerance's programmatic API from the destination's
 * {@link MessageTransport#guards()} and {@code OUTBOX_MAX_IN_FLIGHT}.
 *
 * <ul>
 * <li>An in-flight bound (a bulkhead): past {@code OUTBOX_MAX_IN_FLIGHT} calls to the destination,
 * deliveries wait in memory (their rows stay claimed under a lease) instead of piling onto a peer
 * that is already slow. It sits outside the other guards on purpose: the timeout measures the call,
 * not the queue in front of it.</li>
 * <li>Around each call: a timeout, a short retry of what may succeed on another try now
 * ({@link FailureClassifier.Retryable}), and a circuit breaker that only the destination's faults
 * trip: a poison message or a 4xx refusal of one message does not ({@link DeliveryFailure#messageFault()}).</li>
 * </ul>
 *
 * <p>The breaker's state changes go to a listener (the publisher), which follows them: it sends a
 * trial when an open breaker's delay ends and the waiting backlog as soon as the breaker closes.
 * The outbox's own backoff is the durable retry on top of these. Metrics are SmallRye's
 * {@code ft_*} series with {@code method="delivery/<destination>"}.
 */
final class GuardedTransport {

    /** Deliveries that may wait for a free slot; past it a delivery is not attempted and retried later. */
    static final int MAX_WAITING = 100_000;
    /**
     * The breaker opens when half of the last ten calls failed, and closes as soon as one trial call
     * succeeds: a half-open breaker lets only as many calls through as it needs successes and bounces
     * the rest, so every further trial it waits for keeps a healed destination's backlog waiting.
     */
    static final int BREAKER_WINDOW = 10;
    static final double BREAKER_FAILURE_RATIO = 0.5;
    static final int BREAKER_SUCCESSES_TO_CLOSE = 1;
    static final long RETRY_DELAY_MS = 100;
    static final long RETRY_JITTER_MS = 50;

    private static final TypeLiteral<Uni<List<MessageResult>>> BATCH = new TypeLiteral<>() {
    };

    private final MessageTransport transport;
    private final TypedGuard<Uni<List<MessageResult>>> inFlight;
    private final TypedGuard<Uni<List<MessageResult>>> call;

    GuardedTransport(MessageTransport transport, int maxInFlight, Consumer<CircuitBreakerState> onBreakerChange) {
        this.transport = transport;
        DeliveryGuards guards = transport.guards();
        String name = "delivery/" + transport.destination();
        this.inFlight = TypedGuard.create(BATCH)
                .withDescription(name + "/in-flight")
                .withBulkhead().limit(maxInFlight).queueSize(MAX_WAITING).done()
                .build();
        this.call = TypedGuard.create(BATCH)
                .withDescription(name)
                .withTimeout().duration(guards.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withRetry().maxRetries(guards.retries())
                .delay(RETRY_DELAY_MS, ChronoUnit.MILLIS).jitter(RETRY_JITTER_MS, ChronoUnit.MILLIS)
                .whenException(new FailureClassifier.Retryable()).done()
                .withCircuitBreaker().requestVolumeThreshold(BREAKER_WINDOW).failureRatio(BREAKER_FAILURE_RATIO)
                .delay(guards.breakerDelay().toMillis(), ChronoUnit.MILLIS).successThreshold(BREAKER_SUCCESSES_TO_CLOSE)
                .when(new FailureClassifier.DestinationFault()).onStateChange(onBreakerChange).done()
                .build();
    }

    MessageTransport transport() {
        return transport;
    }

    /**
     * Sends a batch of messages through every guard, as one call; completes with what became of each
     * once the receiver answered. When a call was made and failed, and its retry was then refused by
     * the breaker, the delivery fails with the call's own failure: it was an attempt, not a refusal.
     */
    Uni<List<MessageResult>> deliver(List<Envelope> batch) {
        AtomicReference<Throwable> lastCall = new AtomicReference<>();
        return inFlight.get(() -> call.get(() -> transport.deliverBatch(batch).onFailure().invoke(lastCall::set)))
                .onFailure(f -> lastCall.get() != null && FailureClassifier.classify(f).kind().notAttempted())
                .transform(f -> lastCall.get());
    }
}
