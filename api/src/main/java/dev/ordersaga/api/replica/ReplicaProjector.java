package dev.ordersaga.api.replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
     * in the batch, and each customer's list once, with every change of the batch applied (the list
     * counts versions, so none is skipped). The records are read in one multi-key call and written in
     * another (more only past {@value ReplicaStore#MAX_KEYS_A_CALL} keys a call), whatever the number
     * of changes. A message is taken once its order's record and its customer's list are written; a
     * refusal (4xx) of a key parks the messages of that key alone; a batch of which nothing got through
     * fails as a whole, so the breaker counts it.
     */
    @Override
    public Uni<List<MessageResult>> deliverBatch(List<Envelope> batch) {
        List<MessageResult> results = new ArrayList<>();
        List<Uni<List<MessageResult>>> parts = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        for (Envelope envelope : batch) {
            if (CustomerSnapshot.TYPE.equals(envelope.type())) {
                parts.add(outcome(List.of(envelope), snapshot(envelope)));
                continue;
            }
            try {
                changes.add(change(envelope));
            } catch (PoisonMessageException e) {
                results.add(MessageResult.poison(envelope.messageId(), e.getMessage()));
            }
        }
        if (!changes.isEmpty()) {
            parts.add(projectChanges(changes));
        }
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

    /**
     * The records of a batch's changes: every order's record and every customer's list read at once,
     * merged with the changes, and those that changed written at once. A call that fails as a whole
     * fails every change; a key that fails fails the changes it carries.
     */
    private Uni<List<MessageResult>> projectChanges(List<Change> changes) {
        Map<UUID, OrderRecord> newest = new LinkedHashMap<>();
        Map<String, List<Change>> byCustomer = new LinkedHashMap<>();
        for (Change c : changes) {
            newest.merge(c.order().id(), new OrderRecord(c.order(), c.customerVersion()), OrderRecord::newer);
            byCustomer.computeIfAbsent(c.order().customerId(), id -> new ArrayList<>()).add(c);
        }
        List<String> keys = new ArrayList<>();
        newest.keySet().forEach(id -> keys.add(OrderRecord.key(id)));
        byCustomer.keySet().forEach(id -> keys.add(CustomerOrdersRecord.key(id)));
        int max = config.listMax();
        return store.fetchMany(keys).chain(found -> {
            Map<String, Throwable> failed = new HashMap<>();
            List<ReplicaStore.Put> puts = new ArrayList<>();
            newest.forEach((orderId, record) -> next(found, OrderRecord.key(orderId), OrderRecord.class, OrderRecord::newer,
                    r -> OrderRecord.newer(r, record), puts, failed));
            byCustomer.forEach((customerId, ofCustomer) -> next(found, CustomerOrdersRecord.key(customerId),
                    CustomerOrdersRecord.class, CustomerOrdersRecord.merger(max), r -> {
                        CustomerOrdersRecord next = r == null ? CustomerOrdersRecord.empty(customerId) : r;
                        for (Change c : ofCustomer) {
                            next = next.apply(c.customerVersion(), c.order(), max);
                        }
                        return next;
                    }, puts, failed));
            return store.writeMany(puts).map(writeFailures -> {
                failed.putAll(writeFailures);
                return changes.stream().map(c -> result(c, failed)).toList();
            });
        }).onFailure().recoverWithItem(f -> changes.stream().map(c -> result(c, f)).toList());
    }

    /**
     * The record {@code key} becomes: read (siblings folded), changed, and queued for writing over the
     * read's context when something changed (or siblings need resolving); a key that failed is noted.
     */
    private <T> void next(Map<String, ReplicaStore.Fetched> found, String key, Class<T> type, BinaryOperator<T> merge,
            UnaryOperator<T> change, List<ReplicaStore.Put> puts, Map<String, Throwable> failed) {
        ReplicaStore.Fetched fetched = found.get(key);
        if (fetched == null) {
            failed.put(key, new IllegalStateException("the quorum gateway gave no outcome for " + key));
            return;
        }
        try {
            ReplicaStore.Found<T> current = store.decode(fetched, type, merge);
            T now = current.value().orElse(null);
            T next = change.apply(now);
            if (current.versions().size() != 1 || !next.equals(now)) {
                puts.add(new ReplicaStore.Put(key, current.context(), next));
            }
        } catch (RuntimeException e) {
            failed.put(key, e);
        }
    }

    /** A change is taken once neither its order's record nor its customer's list failed. */
    private static MessageResult result(Change c, Map<String, Throwable> failed) {
        Throwable f = failed.get(OrderRecord.key(c.order().id()));
        if (f == null) {
            f = failed.get(CustomerOrdersRecord.key(c.order().customerId()));
        }
        return f == null ? MessageResult.taken(c.envelope().messageId(), "projected") : result(c, f);
    }

    private static MessageResult result(Change c, Throwable f) {
        DeliveryFailure failure = FailureClassifier.classify(f);
        return failure.messageFault() ? MessageResult.poison(c.envelope().messageId(), failure.detail())
                : MessageResult.failed(c.envelope().messageId(), f);
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

    /** Applies a customer snapshot: every order's record and the list, at the snapshot's customer version, read and written in multi-key calls. */
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
        String listKey = CustomerOrdersRecord.key(snapshot.customerId());
        List<String> keys = new ArrayList<>();
        snapshot.orders().forEach(o -> keys.add(OrderRecord.key(o.id())));
        keys.add(listKey);
        return store.fetchMany(keys).chain(found -> {
            Map<String, Throwable> failed = new LinkedHashMap<>();
            List<ReplicaStore.Put> puts = new ArrayList<>();
            for (Order order : snapshot.orders()) {
                var record = new OrderRecord(order, version);
                next(found, OrderRecord.key(order.id()), OrderRecord.class, OrderRecord::newer,
                        r -> OrderRecord.newer(r, record), puts, failed);
            }
            next(found, listKey, CustomerOrdersRecord.class, CustomerOrdersRecord.merger(max),
                    r -> (r == null ? CustomerOrdersRecord.empty(snapshot.customerId()) : r)
                            .applySnapshot(version, snapshot.orders(), snapshot.truncated(), max),
                    puts, failed);
            return store.writeMany(puts).chain(writeFailures -> {
                failed.putAll(writeFailures);
                return failed.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(failed.values().iterator().next());
            });
        });
    }
}
