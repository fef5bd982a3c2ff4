package dev.ordersaga.api.replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
import dev.ordersaga.outbox.DeliveryFailure;
import dev.ordersaga.outbox.DeliveryGuards;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.FailureClassifier;
import dev.ordersaga.outbox.MessageResult;
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

    /** Changes one projection call carries at most: {@code REPLICA_BATCH_MAX} ({@code OUTBOX_BATCH_MAX} bounds it too). */
    @Override
    public int maxBatch() {
        return config.batchMax();
    }

    /**
     * Projects a batch, coalesced: each order's record is written once, with the newest of its changes
     * in the batch, and each customer's list is read and written once, with every change of the batch
     * applied (the list counts versions, so none is skipped). Customers are projected side by side.
     * A message is taken once its order's record and its customer's list are written; a refusal (4xx)
     * parks the messages of that record alone; a batch of which nothing got through fails as a whole,
     * so the breaker counts it.
     */
    @Override
    public Uni<List<MessageResult>> deliverBatch(List<Envelope> batch) {
        List<MessageResult> results = new ArrayList<>();
        List<Uni<List<MessageResult>>> parts = new ArrayList<>();
        Map<String, List<Change>> byCustomer = new LinkedHashMap<>();
        for (Envelope envelope : batch) {
            if (CustomerSnapshot.TYPE.equals(envelope.type())) {
                parts.add(outcome(List.of(envelope), snapshot(envelope)));
                continue;
            }
            try {
                Change change = change(envelope);
                byCustomer.computeIfAbsent(change.order().customerId(), c -> new ArrayList<>()).add(change);
            } catch (PoisonMessageException e) {
                results.add(MessageResult.poison(envelope.messageId(), e.getMessage()));
            }
        }
        byCustomer.forEach((customerId, changes) -> parts.add(projectCustomer(customerId, changes)));
        if (parts.isEmpty()) {
            return Uni.createFrom().item(results);
        }
        return Uni.join().all(parts).andFailFast().map(lists -> {
            lists.forEach(results::addAll);
            return results;
        }).chain(all -> {
            boolean noneThrough = all.stream().allMatch(r -> r.status() == MessageResult.Status.FAILED);
            return noneThrough ? Uni.createFrom().failure(all.get(0).failure()) : Uni.createFrom().item(all);
        });
    }

    /** One change to project: the order as it became, at its customer version. */
    private record Change(Envelope envelope, Order order, long customerVersion) {
    }

    private Change change(Envelope envelope) {
        Order order;
        try {
            order = mapper.treeToValue(envelope.payload(), OrderChanged.class).order();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new PoisonMessageException("unreadable OrderChanged payload: " + e.getMessage());
        }
        if (order == null || order.id() == null || order.customerId() == null) {
            throw new PoisonMessageException("OrderChanged without an order");
        }
        return new Change(envelope, order, envelope.seq());
    }

    /** The records of one customer's changes: each order's record once, then the list once. */
    private Uni<List<MessageResult>> projectCustomer(String customerId, List<Change> changes) {
        Map<UUID, OrderRecord> newest = new LinkedHashMap<>();
        Map<UUID, List<Envelope>> byOrder = new LinkedHashMap<>();
        for (Change c : changes) {
            newest.merge(c.order().id(), new OrderRecord(c.order(), c.customerVersion()), OrderRecord::newer);
            byOrder.computeIfAbsent(c.order().id(), id -> new ArrayList<>()).add(c.envelope());
        }
        List<Uni<List<MessageResult>>> records = new ArrayList<>();
        newest.forEach((orderId, record) -> records.add(outcome(byOrder.get(orderId),
                update(OrderRecord.key(orderId), OrderRecord.class, OrderRecord::newer, r -> OrderRecord.newer(r, record)))));
        int max = config.listMax();
        return Uni.join().all(records).andFailFast().chain(orderResults -> {
            Map<UUID, Envelope> byId = new LinkedHashMap<>();
            changes.forEach(c -> byId.put(c.envelope().messageId(), c.envelope()));
            List<Envelope> recorded = new ArrayList<>();
            List<MessageResult> results = new ArrayList<>();
            for (List<MessageResult> forOrder : orderResults) {
                for (MessageResult r : forOrder) {
                    if (r.status() == MessageResult.Status.TAKEN) {
                        recorded.add(byId.get(r.messageId()));
                    } else {
                        results.add(r);
                    }
                }
            }
            if (recorded.isEmpty()) {
                return Uni.createFrom().item(results);
            }
            // every change of the batch, including those whose order's record failed: the list only grows
            Uni<Void> list = update(CustomerOrdersRecord.key(customerId), CustomerOrdersRecord.class,
                    CustomerOrdersRecord.merger(max), r -> {
                        CustomerOrdersRecord next = r == null ? CustomerOrdersRecord.empty(customerId) : r;
                        for (Change c : changes) {
                            next = next.apply(c.customerVersion(), c.order(), max);
                        }
                        return next;
                    });
            return outcome(recorded, list).map(listResults -> {
                results.addAll(listResults);
                return results;
            });
        });
    }

    /** What became of {@code envelopes} once {@code work} ends: taken, parked (a refusal) or failed; never fails. */
    private static Uni<List<MessageResult>> outcome(List<Envelope> envelopes, Uni<Void> work) {
        return work.map(v -> envelopes.stream().map(e -> MessageResult.taken(e.messageId(), "projected")).toList())
                .onFailure().recoverWithItem(f -> {
                    DeliveryFailure failure = FailureClassifier.classify(f);
                    return envelopes.stream().map(e -> failure.messageFault()
                            ? MessageResult.poison(e.messageId(), failure.detail())
                            : MessageResult.failed(e.messageId(), f)).toList();
                });
    }

    /** Projects one change, as a batch of one; the gateway keeps no traces, so the delivery's span ends here. */
    @Override
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        return deliverBatch(List.of(envelope)).chain(results -> {
            MessageResult result = results.get(0);
            return switch (result.status()) {
                case TAKEN -> Uni.createFrom().voidItem();
                case POISON -> Uni.createFrom().failure(new PoisonMessageException(result.detail()));
                case FAILED -> Uni.createFrom().failure(result.failure());
            };
        });
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
