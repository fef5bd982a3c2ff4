package dev.ordersaga.worker.jobs;

import java.util.Set;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;

import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.outbox.DeliveryGuards;
import dev.ordersaga.outbox.transport.HttpBatchTransport;

/**
 * The worker's results to the api (StockReserved, StockRejected, StockReleased), in batches to its
 * {@code /internal/order-events} endpoint ({@code API_URL}), guarded with {@code API_CLIENT_*}.
 */
@Singleton
public class ApiTransport extends HttpBatchTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.STOCK_RESERVED, MessageTypes.STOCK_REJECTED,
            MessageTypes.STOCK_RELEASED);

    public ApiTransport(Vertx vertx, ObjectMapper mapper, InternalSecret secret, ApiClientConfig config) {
        super(vertx, mapper, config.url() + "/internal/order-events", secret::bearer, "/ordersaga/worker",
                DeliveryGuards.ofMillis(config.client().timeoutMs(), config.client().retries(), config.client().breakerDelayMs()));
    }

    @Override
    public String destination() {
        return Destinations.API;
    }

    @Override
    public Set<String> types() {
        return TYPES;
    }
}
