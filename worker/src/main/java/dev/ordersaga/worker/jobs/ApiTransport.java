package dev.ordersaga.worker.jobs;

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

/**
 * Delivers the worker's results to the api (StockReserved, StockRejected, StockReleased). The
 * outbox's guarded transport wraps each call with the guards of {@code API_CLIENT_*}.
 */
@ApplicationScoped
public class ApiTransport implements MessageTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.STOCK_RESERVED, MessageTypes.STOCK_REJECTED,
            MessageTypes.STOCK_RELEASED);

    private final ApiClient client;
    private final InternalSecret secret;
    private final DeliveryGuards guards;

    public ApiTransport(@RestClient ApiClient client, InternalSecret secret, ApiClientConfig config) {
        this.client = client;
        this.secret = secret;
        ApiClientConfig.Client c = config.client();
        this.guards = DeliveryGuards.ofMillis(c.timeoutMs(), c.retries(), c.breakerDelayMs());
    }

    @Override
    public DeliveryGuards guards() {
        return guards;
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
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        return client.orderEvent(secret.bearer(), envelope.requestId(), traceparent, envelope);
    }
}
