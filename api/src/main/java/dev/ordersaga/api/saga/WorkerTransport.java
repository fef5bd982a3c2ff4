package dev.ordersaga.api.saga;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.faulttolerance.api.RetryWhen;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.FailureClassifier;
import dev.ordersaga.outbox.MessageTransport;
import dev.ordersaga.outbox.PoisonMessageException;

/**
 * Delivers the api's outbox messages to the worker. Timeout, a short retry for transient failures
 * and a circuit breaker come from SmallRye Fault Tolerance; their values are set in
 * application.properties (and can be changed by env var). The outbox's own backoff is the durable
 * retry on top of this one.
 */
@ApplicationScoped
public class WorkerTransport implements MessageTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.RESERVE_STOCK, MessageTypes.RELEASE_STOCK);

    private final WorkerClient client;
    private final InternalSecret secret;

    public WorkerTransport(@RestClient WorkerClient client, InternalSecret secret) {
        this.client = client;
        this.secret = secret;
    }

    @Override
    public String destination() {
        return Destinations.WORKER;
    }

    @Override
    public Set<String> types() {
        return TYPES;
    }

    @Override
    @Timeout(2000)
    @Retry(maxRetries = 2, delay = 100, jitter = 50)
    @RetryWhen(exception = FailureClassifier.Retryable.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 5000, successThreshold = 2,
            skipOn = PoisonMessageException.class)
    public Uni<Void> deliver(Envelope envelope) {
        return switch (envelope.type()) {
            case MessageTypes.RESERVE_STOCK -> client.reserveStock(secret.bearer(), envelope.requestId(), envelope);
            case MessageTypes.RELEASE_STOCK -> client.releaseStock(secret.bearer(), envelope.requestId(), envelope);
            default -> Uni.createFrom().failure(
                    new PoisonMessageException("unknown message type '" + envelope.type() + "' for the worker"));
        };
    }
}
