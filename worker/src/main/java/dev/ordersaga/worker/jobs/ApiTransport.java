package dev.ordersaga.worker.jobs;

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

/** Delivers the worker's results to the api, with the same guards as the api's calls to the worker. */
@ApplicationScoped
public class ApiTransport implements MessageTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.STOCK_RESERVED, MessageTypes.STOCK_REJECTED,
            MessageTypes.STOCK_RELEASED);

    private final ApiClient client;
    private final InternalSecret secret;

    public ApiTransport(@RestClient ApiClient client, InternalSecret secret) {
        this.client = client;
        this.secret = secret;
    }

    @Override
    public String destination() {
        return Destinations.API;
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
        return client.orderEvent(secret.bearer(), envelope.requestId(), envelope);
    }
}
