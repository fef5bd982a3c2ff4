package dev.ordersaga.outbox;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

import io.smallrye.mutiny.Uni;

/**
 * The destination {@code read-model} of the outbox's own tests: a receiver whose state must converge
 * (its messages are retried until delivered), which refuses with 400 every message of an aggregate
 * named {@code refused-*} and takes every other one.
 */
@ApplicationScoped
public class ReadModelTransport implements MessageTransport {

    public static final String DESTINATION = "read-model";
    public static final String TYPE = "Changed";

    private final List<UUID> delivered = new CopyOnWriteArrayList<>();

    @Override
    public String destination() {
        return DESTINATION;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public DeliveryGuards guards() {
        return DeliveryGuards.ofMillis(5000, 0, 60_000);
    }

    @Override
    public boolean retriesUntilDelivered() {
        return true;
    }

    @Override
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        if (envelope.aggregateId().startsWith("refused-")) {
            return Uni.createFrom().failure(new WebApplicationException(400));
        }
        return Uni.createFrom().voidItem().invoke(() -> delivered.add(envelope.messageId()));
    }

    public List<UUID> delivered() {
        return delivered;
    }
}
