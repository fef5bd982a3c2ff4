package dev.ordersaga.api.replica;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.ordersaga.api.domain.CustomerSnapshot;
import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderChanged;
import dev.ordersaga.api.orders.OrderRepository;
import dev.ordersaga.outbox.NewMessage;
import dev.ordersaga.outbox.OutboxMessage;
import dev.ordersaga.outbox.UnitOfWork;

/**
 * Makes the read model converge by construction. Every {@code REPLICA_RECONCILE_EVERY} it compares
 * a batch of customers' lists and a batch of orders in the replica with the primary (walking through
 * all of them over time, customers with a dead-lettered projection first) and re-projects what is
 * missing or behind, without an operator:
 *
 * <ul>
 * <li>A customer's list is behind when its version is below what the changes already delivered
 * should have made it (every change up to the first one still waiting). Then a
 * {@link CustomerSnapshot} is enqueued: the customer's newest orders, read in the transaction that
 * draws the snapshot's own customer version while holding the customer's sequence, so it reflects
 * every change up to that version and fills any gap.</li>
 * <li>An order's record is behind when it is missing or older than the primary while no change of
 * its customer waits: the order's current state is enqueued again.</li>
 * </ul>
 * Re-projections go through the outbox like any change, so they are retried until delivered.
 */
@Startup
@ApplicationScoped
public class ReplicaReconciler {

    private static final Logger LOG = Logger.getLogger(ReplicaReconciler.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private static final String CUSTOMERS = """
            SELECT s.aggregate_id AS customer_id, s.last_seq,
                   (SELECT min(o.aggregate_seq) FROM outbox o WHERE o.destination = 'replica'
                      AND o.aggregate_id = s.aggregate_id AND o.status IN ('pending', 'in_flight')) AS first_waiting
            FROM outbox_sequence s
            WHERE s.destination = 'replica' AND s.aggregate_id > $1
            ORDER BY s.aggregate_id LIMIT $2""";
    private static final String DEAD_CUSTOMERS = """
            SELECT DISTINCT aggregate_id FROM outbox WHERE destination = 'replica' AND status = 'dead' LIMIT $1""";
    private static final String CUSTOMER = """
            SELECT s.aggregate_id AS customer_id, s.last_seq,
                   (SELECT min(o.aggregate_seq) FROM outbox o WHERE o.destination = 'replica'
                      AND o.aggregate_id = s.aggregate_id AND o.status IN ('pending', 'in_flight')) AS first_waiting
            FROM outbox_sequence s WHERE s.destination = 'replica' AND s.aggregate_id = $1""";
    private static final String ORDERS = """
            SELECT o.id, o.version, o.customer_id,
                   EXISTS (SELECT 1 FROM outbox x WHERE x.destination = 'replica' AND x.aggregate_id = o.customer_id
                             AND x.status IN ('pending', 'in_flight')) AS waiting
            FROM orders o WHERE o.id > $1 ORDER BY o.id LIMIT $2""";
    private static final String HOLD_SEQUENCE = """
            SELECT last_seq FROM outbox_sequence WHERE destination = 'replica' AND aggregate_id = $1 FOR UPDATE""";
    private static final String SUPERSEDE_DEAD = """
            UPDATE outbox SET status = 'sent', sent_at = now(), claimed_by = NULL,
                   last_error = 'superseded by customer snapshot ' || $3 || ': ' || COALESCE(last_error, '')
            WHERE destination = 'replica' AND aggregate_id = $1 AND status = 'dead' AND aggregate_seq < $2""";

    private final Pool pool;
    private final ReplicaStore store;
    private final ReplicaConfig config;
    private final OrderRepository orders;
    private final UnitOfWork work;
    private final AtomicReference<String> customerCursor = new AtomicReference<>("");
    private final AtomicReference<UUID> orderCursor = new AtomicReference<>(new UUID(Long.MIN_VALUE, Long.MIN_VALUE));
    private final Counter snapshots;
    private final Counter reprojected;

    public ReplicaReconciler(Pool pool, ReplicaStore store, ReplicaConfig config, OrderRepository orders,
            UnitOfWork work, MeterRegistry registry) {
        this.pool = pool;
        this.store = store;
        this.config = config;
        this.orders = orders;
        this.work = work;
        this.snapshots = Counter.builder("replica.reconciler.snapshots")
                .description("Customers re-projected because their replica list was behind").register(registry);
        this.reprojected = Counter.builder("replica.reconciler.orders")
                .description("Orders re-projected because their replica record was missing or behind").register(registry);
    }

    @Scheduled(every = "{replica.reconcile-every}", delayed = "{replica.reconcile-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> onSchedule() {
        return round()
                .onFailure().invoke(f -> LOG.warnf("replica reconciliation round failed, will retry: %s", f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One round: a batch of customers (dead-lettered ones first) and a batch of orders; returns what it re-projected. */
    public Uni<Integer> round() {
        return customersToCheck()
                .onItem().transformToUni(customers -> Multi.createFrom().iterable(customers)
                        .onItem().transformToUniAndConcatenate(this::checkCustomer)
                        .collect().with(Collectors.summingInt(Integer::intValue)))
                .onItem().transformToUni(fixed -> checkOrders().map(more -> fixed + more));
    }

    /** The customer ids of this round: those with a dead-lettered projection, then the next page of all. */
    private Uni<List<String>> customersToCheck() {
        return pool.preparedQuery(DEAD_CUSTOMERS).execute(Tuple.of(config.reconcileBatch()))
                .onItem().transformToUni(dead -> pool.preparedQuery(CUSTOMERS)
                        .execute(Tuple.of(customerCursor.get(), config.reconcileBatch()))
                        .map(page -> {
                            Set<String> ids = new LinkedHashSet<>();
                            dead.forEach(r -> ids.add(r.getString(0)));
                            String last = null;
                            for (Row r : page) {
                                last = r.getString("customer_id");
                                ids.add(last);
                            }
                            customerCursor.set(last == null ? "" : last);
                            return new ArrayList<>(ids);
                        }));
    }

    /** 1 when the customer was re-projected. */
    private Uni<Integer> checkCustomer(String customerId) {
        return pool.preparedQuery(CUSTOMER).execute(Tuple.of(customerId))
                .onItem().transformToUni(rows -> {
                    if (rows.rowCount() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    Row r = rows.iterator().next();
                    Long firstWaiting = r.getLong("first_waiting");
                    long delivered = firstWaiting == null ? r.getLong("last_seq") : firstWaiting - 1;
                    return replicaVersion(customerId).onItem().transformToUni(version -> version < delivered
                            ? snapshot(customerId, version, delivered).replaceWith(1)
                            : Uni.createFrom().item(0));
                });
    }

    private Uni<Long> replicaVersion(String customerId) {
        return store.fetch(CustomerOrdersRecord.key(customerId), CustomerOrdersRecord.class,
                CustomerOrdersRecord.merger(config.listMax()))
                .ifNoItem().after(READ_TIMEOUT).fail()
                .map(found -> found.value().map(CustomerOrdersRecord::version).orElse(0L));
    }

    /** Enqueues a snapshot of the customer's newest orders at a fresh customer version, drawn while holding the sequence. */
    public Uni<OutboxMessage> snapshot(String customerId, long replicaVersion, long expected) {
        int max = config.listMax();
        return work.run(tx -> tx.connection().preparedQuery(HOLD_SEQUENCE).execute(Tuple.of(customerId))
                .chain(() -> orders.byCustomer(tx.connection(), customerId, max + 1))
                .chain(newest -> tx.send(new NewMessage(OrderChanged.DESTINATION, CustomerSnapshot.TYPE,
                        customerId, new CustomerSnapshot(customerId, newest.stream().limit(max).toList(),
                                newest.size() > max),
                        null)))
                .call(message -> tx.connection().preparedQuery(SUPERSEDE_DEAD)
                        .execute(Tuple.of(customerId, message.seq(), message.id().toString()))))
                .invoke(message -> {
                    snapshots.increment();
                    LOG.warnf("replica list of customer %s is at version %d, below the %d delivered: re-projected as version %d",
                            customerId, replicaVersion, expected, message.seq());
                });
    }

    /** The next page of orders: each whose record is missing or older, while no change of its customer waits, is enqueued again. */
    private Uni<Integer> checkOrders() {
        return pool.preparedQuery(ORDERS).execute(Tuple.of(orderCursor.get(), config.reconcileBatch()))
                .onItem().transformToUni(page -> {
                    List<Row> rows = new ArrayList<>();
                    page.forEach(rows::add);
                    orderCursor.set(rows.isEmpty() ? new UUID(Long.MIN_VALUE, Long.MIN_VALUE)
                            : rows.get(rows.size() - 1).getUUID("id"));
                    return Multi.createFrom().iterable(rows)
                            .filter(r -> !r.getBoolean("waiting"))
                            .onItem().transformToUniAndConcatenate(this::checkOrder)
                            .collect().with(Collectors.summingInt(Integer::intValue));
                });
    }

    private Uni<Integer> checkOrder(Row row) {
        UUID id = row.getUUID("id");
        long version = row.getLong("version");
        return store.fetch(OrderRecord.key(id), OrderRecord.class, OrderRecord::newer)
                .ifNoItem().after(READ_TIMEOUT).fail()
                .onItem().transformToUni(found -> {
                    long replica = found.value().map(r -> r.order().version()).orElse(0L);
                    return replica < version ? reproject(id, replica).replaceWith(1) : Uni.createFrom().item(0);
                });
    }

    /** The customer's replica sequence is locked before the order, as everywhere (see {@code OrderService.lockAheadForEvents}). */
    private Uni<OutboxMessage> reproject(UUID id, long replicaVersion) {
        return work.run(tx -> orders.customersOf(tx.connection(), List.of(id))
                .chain(customers -> tx.lockSequences(OrderChanged.DESTINATION, customers))
                .chain(() -> orders.lock(tx.connection(), id))
                .onItem().transformToUni(found -> {
                    Order order = found.orElseThrow(() -> new IllegalStateException("order " + id + " vanished"));
                    return tx.send(new NewMessage(OrderChanged.DESTINATION, OrderChanged.TYPE,
                            order.customerId(), new OrderChanged(order), null));
                }))
                .invoke(message -> {
                    reprojected.increment();
                    LOG.warnf("replica record of order %s is at version %d, behind the primary: re-projected", id,
                            replicaVersion);
                });
    }
}
