package dev.ordersaga.api.saga;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.outbox.DeliveryGuards;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.MessageTransport;
import dev.ordersaga.outbox.PoisonMessageException;

/**
 * Delivers the api's outbox messages to the worker (ReserveStock, ReleaseStock). The outbox's
 * guarded transport wraps each call with the guards of {@code WORKER_CLIENT_*}.
 */
@ApplicationScoped
public class WorkerTransport implements MessageTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.RESERVE_STOCK, MessageTypes.RELEASE_STOCK);

    private final WorkerClient client;
    private final InternalSecret secret;
    private final DeliveryGuards guards;

    public WorkerTransport(@RestClient WorkerClient client, InternalSecret secret, WorkerClientConfig config) {
        this.client = client;
        this.secret = secret;
        WorkerClientConfig.Client c = config.client();
        this.guards = DeliveryGuards.ofMillis(c.timeoutMs(), c.retries(), c.breakerDelayMs());
    }

    @Override
    public DeliveryGuards guards() {
        return guards;
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
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        return switch (envelope.type()) {
            case MessageTypes.RESERVE_STOCK -> client.reserveStock(secret.bearer(), envelope.requestId(), traceparent, envelope);
            case MessageTypes.RELEASE_STOCK -> client.releaseStock(secret.bearer(), envelope.requestId(), traceparent, envelope);
            default -> Uni.createFrom().failure(
                    new PoisonMessageException("unknown message type '" + envelope.type() + "' for the worker"));
        };
    }
}
