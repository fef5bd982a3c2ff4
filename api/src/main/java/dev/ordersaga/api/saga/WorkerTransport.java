package dev.ordersaga.api.saga;

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
 * The api's commands to the worker (ReserveStock, ReleaseStock), in batches to its {@code /jobs}
 * endpoint ({@code WORKER_URL}), guarded with {@code WORKER_CLIENT_*}.
 */
@Singleton
public class WorkerTransport extends HttpBatchTransport {

    private static final Set<String> TYPES = Set.of(MessageTypes.RESERVE_STOCK, MessageTypes.RELEASE_STOCK);

    public WorkerTransport(Vertx vertx, ObjectMapper mapper, InternalSecret secret, WorkerClientConfig config) {
        super(vertx, mapper, config.url() + "/jobs", secret::bearer, "/ordersaga/api",
                DeliveryGuards.ofMillis(config.client().timeoutMs(), config.client().retries(), config.client().breakerDelayMs()));
    }

    @Override
    public String destination() {
        return Destinations.WORKER;
    }

    @Override
    public Set<String> types() {
        return TYPES;
    }
}
