package dev.ordersaga.api.replica;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;

import dev.ordersaga.api.domain.CustomerSnapshot;
import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderChanged;
import dev.ordersaga.outbox.DeliveryGuards;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.MessageTransport;
import dev.ordersaga.outbox.PoisonMessageException;

/**
 * Projects order changes from the api's outbox into the replica: the order's own record and its
 * customer's list, each by read, merge and write over the context read. Applying a change twice, or
 * an older change after a newer one, leaves both records as they were: they never move backwards.
 */
@ApplicationScoped
public class ReplicaProjector implements MessageTransport {

    private final ReplicaStore store;
    private final ReplicaConfig config;
    private final ObjectMapper mapper;

    private final DeliveryGuards guards;

    public ReplicaProjector(ReplicaStore store, ReplicaConfig config, ObjectMapper mapper) {
        this.store = store;
        this.config = config;
        this.mapper = mapper;
        ReplicaConfig.Client c = config.client();
        this.guards = DeliveryGuards.ofMillis(c.timeoutMs(), c.retries(), c.breakerDelayMs());
    }

    /** The guards of {@code REPLICA_CLIENT_*}, around each projected change as a whole. */
    @Override
    public DeliveryGuards guards() {
        return guards;
    }

    @Override
    public String destination() {
        return OrderChanged.DESTINATION;
    }

    @Override
    public Set<String> types() {
        return Set.of(OrderChanged.TYPE, CustomerSnapshot.TYPE);
    }

    /**
     * A read model that misses a change stays behind until the reconciler repairs it: its messages are
     * retried until delivered, whatever the gateway's health. Only a change the gateway refuses (a 4xx)
     * is dead-lettered at once, for its customer alone; the reconciler re-projects that customer.
     */
    @Override
    public boolean retriesUntilDelivered() {
        return true;
    }

    @Override
    public Duration holdBack() {
        long jitter = config.lagJitterMs() > 0 ? ThreadLocalRandom.current().nextLong(config.lagJitterMs()) : 0;
        return Duration.ofMillis(config.lagMs() + jitter);
    }

    /** Projects one change; the gateway keeps no traces, so the delivery's span ends here. */
    @Override
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        if (CustomerSnapshot.TYPE.equals(envelope.type())) {
            return snapshot(envelope);
        }
        Order order;
        try {
            order = mapper.treeToValue(envelope.payload(), OrderChanged.class).order();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Uni.createFrom().failure(new PoisonMessageException("unreadable OrderChanged payload: " + e.getMessage()));
        }
        if (order == null || order.id() == null || order.customerId() == null) {
            return Uni.createFrom().failure(new PoisonMessageException("OrderChanged without an order"));
        }
        long customerVersion = envelope.seq();
        int max = config.listMax();
        var record = new OrderRecord(order, customerVersion);
        return update(OrderRecord.key(order.id()), OrderRecord.class, OrderRecord::newer, r -> OrderRecord.newer(r, record))
                .chain(() -> update(CustomerOrdersRecord.key(order.customerId()), CustomerOrdersRecord.class,
                        CustomerOrdersRecord.merger(max),
                        r -> (r == null ? CustomerOrdersRecord.empty(order.customerId()) : r)
                                .apply(customerVersion, order, max)));
    }

    /** Applies a customer snapshot: every order's record, then the list, at the snapshot's customer version. */
    private Uni<Void> snapshot(Envelope envelope) {
        CustomerSnapshot snapshot;
        try {
            snapshot = mapper.treeToValue(envelope.payload(), CustomerSnapshot.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Uni.createFrom().failure(new PoisonMessageException("unreadable CustomerSnapshot payload: " + e.getMessage()));
        }
        if (snapshot == null || snapshot.customerId() == null || snapshot.orders() == null) {
            return Uni.createFrom().failure(new PoisonMessageException("CustomerSnapshot without a customer"));
        }
        long version = envelope.seq();
        int max = config.listMax();
        Uni<Void> orders = Uni.createFrom().voidItem();
        for (Order order : snapshot.orders()) {
            var record = new OrderRecord(order, version);
            orders = orders.chain(() -> update(OrderRecord.key(order.id()), OrderRecord.class, OrderRecord::newer,
                    r -> OrderRecord.newer(r, record)));
        }
        return orders.chain(() -> update(CustomerOrdersRecord.key(snapshot.customerId()), CustomerOrdersRecord.class,
                CustomerOrdersRecord.merger(max),
                r -> (r == null ? CustomerOrdersRecord.empty(snapshot.customerId()) : r)
                        .applySnapshot(version, snapshot.orders(), snapshot.truncated(), max)));
    }

    /** Read, fold siblings, apply, and write back only when something changed (or siblings need resolving). */
    private <T> Uni<Void> update(String key, Class<T> type, BinaryOperator<T> merge, UnaryOperator<T> change) {
        return store.fetch(key, type, merge).chain(found -> {
            T current = found.value().orElse(null);
            T next = change.apply(current);
            if (found.versions().size() == 1 && next.equals(current)) {
                return Uni.createFrom().voidItem();
            }
            return store.write(key, found.context(), next);
        });
    }
}
