package dev.ordersaga.api.orders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

import dev.ordersaga.api.replica.OrderChanged;
import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.contract.StockMessages.Line;
import dev.ordersaga.contract.StockMessages.ReleaseStock;
import dev.ordersaga.contract.StockMessages.ReserveStock;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.NewMessage;
import dev.ordersaga.outbox.OutboxMessage;
import dev.ordersaga.outbox.OutboxPublisher;
import dev.ordersaga.outbox.OutboxWriter;

/**
 * The order's side of the saga. Every change and the message it causes are written in one
 * transaction (orders + outbox); the publisher makes a first delivery attempt right after the commit.
 */
@ApplicationScoped
public class OrderService {

    private final Pool pool;
    private final OrderRepository orders;
    private final OutboxWriter outbox;
    private final OutboxPublisher publisher;

    public OrderService(Pool pool, OrderRepository orders, OutboxWriter outbox, OutboxPublisher publisher) {
        this.pool = pool;
        this.orders = orders;
        this.outbox = outbox;
        this.publisher = publisher;
    }

    /**
     * The result of a create call: the order, the customer version it is known at, and whether this
     * call created it or replayed an earlier one.
     */
    public record Created(Order order, long customerVersion, boolean replayed) {
    }

    /** The result of a command: the order after it and the customer version it is known at. */
    public record Written(Order order, long customerVersion) {
    }

    /** Accepts an order of {@code customerId} as PENDING and asks the worker to reserve its stock. */
    public Uni<Created> create(String customerId, CreateOrderRequest request, String idempotencyKey, String requestId) {
        List<Line> items = lines(request);
        String hash = hash(customerId, items);
        List<OutboxMessage> enqueued = new ArrayList<>();
        return pool.withTransaction(tx -> insertOrReplay(tx, customerId, items, idempotencyKey, hash, requestId, enqueued))
                .invoke(created -> publisher.dispatch(enqueued));
    }

    private Uni<Created> insertOrReplay(SqlConnection tx, String customerId, List<Line> items, String key,
            String hash, String requestId, List<OutboxMessage> enqueued) {
        UUID id = UUID.randomUUID();
        return orders.insert(tx, id, customerId, items, key, hash)
                .onItem().transformToUni(inserted -> inserted.isPresent()
                        ? reserve(tx, inserted.get(), requestId, enqueued)
                                .chain(() -> project(tx, inserted.get(), requestId, enqueued))
                                .map(customerVersion -> new Created(inserted.get(), customerVersion, false))
                        : replay(tx, customerId, key, hash));
    }

    private Uni<Void> reserve(SqlConnection tx, Order order, String requestId, List<OutboxMessage> enqueued) {
        var message = new NewMessage(Destinations.WORKER, MessageTypes.RESERVE_STOCK, order.id().toString(),
                new ReserveStock(order.id().toString(), order.items()), requestId);
        return outbox.enqueue(tx, message).invoke(enqueued::add).replaceWithVoid();
    }

    /** Enqueues the order's new state for the read model; returns the customer version this change produced. */
    private Uni<Long> project(SqlConnection tx, Order order, String requestId, List<OutboxMessage> enqueued) {
        var message = new NewMessage(OrderChanged.DESTINATION, OrderChanged.TYPE, order.customerId(),
                new OrderChanged(order), requestId);
        return outbox.enqueue(tx, message).invoke(enqueued::add).map(OutboxMessage::seq);
    }

    private Uni<Created> replay(SqlConnection tx, String customerId, String key, String hash) {
        return orders.findByIdempotencyKey(tx, customerId, key)
                .map(found -> {
                    var keyed = found.orElseThrow(() -> new IllegalStateException("idempotency key vanished: " + key));
                    if (!keyed.requestHash().equals(hash)) {
                        throw new ProblemException(409, "idempotency-key-reused", "Idempotency key reused",
                                "this Idempotency-Key was used for a different request")
                                .with("orderId", keyed.order().id().toString());
                    }
                    return keyed.order();
                })
                .chain(order -> orders.customerVersion(tx, order.customerId())
                        .map(customerVersion -> new Created(order, customerVersion, true)));
    }

    /** An order from the primary, with the customer version it reflects. */
    public Uni<OrderRepository.Seen<Order>> get(UUID id) {
        return orders.findSeen(id)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("order", id)));
    }

    /** A customer's newest orders from the primary, with the customer version they reflect. */
    public Uni<OrderRepository.Seen<List<Order>>> byCustomer(String customerId, int limit) {
        return orders.byCustomerSeen(customerId, limit);
    }

    /**
     * Pays or cancels an order of {@code customerId}; cancelling a confirmed order sends ReleaseStock
     * in the same transaction. Another customer's order is a 404, as if it did not exist.
     */
    public Uni<Written> apply(UUID id, OrderStateMachine.Command command, String requestId, String customerId) {
        List<OutboxMessage> enqueued = new ArrayList<>();
        return pool.withTransaction(tx -> orders.lock(tx, id)
                .map(found -> found.filter(o -> o.customerId().equals(customerId))
                        .orElseThrow(() -> ProblemException.notFound("order", id)))
                .onItem().transformToUni(order -> {
                    var decision = OrderStateMachine.onCommand(order.status(), command);
                    return change(tx, order, decision, null, requestId, enqueued);
                })
                .chain(order -> projectedVersion(enqueued)
                        .map(v -> Uni.createFrom().item(new Written(order, v)))
                        .orElseGet(() -> orders.customerVersion(tx, order.customerId()).map(v -> new Written(order, v)))))
                .invoke(written -> publisher.dispatch(enqueued));
    }

    private static java.util.Optional<Long> projectedVersion(List<OutboxMessage> enqueued) {
        return enqueued.stream().filter(m -> OrderChanged.DESTINATION.equals(m.destination()))
                .map(OutboxMessage::seq).max(Long::compare);
    }

    /**
     * Applies a decision to a locked order inside {@code tx}: updates it if its state changes and
     * enqueues ReleaseStock if asked to. Used by client commands and worker events alike.
     */
    public Uni<Order> change(SqlConnection tx, Order order, OrderStateMachine.Decision decision, String reason,
            String requestId, List<OutboxMessage> enqueued) {
        Uni<Order> updated = decision.changes(order.status())
                ? orders.updateStatus(tx, order.id(), decision.next(), reason)
                        .call(o -> project(tx, o, requestId, enqueued))
                : Uni.createFrom().item(order);
        if (!decision.releaseStock()) {
            return updated;
        }
        var release = new NewMessage(Destinations.WORKER, MessageTypes.RELEASE_STOCK, order.id().toString(),
                new ReleaseStock(order.id().toString()), requestId);
        return updated.call(o -> outbox.enqueue(tx, release).invoke(enqueued::add));
    }

    /** Reads a locked order for a worker event; 404 when the api has never heard of it. */
    public Uni<Order> lockForEvent(SqlConnection tx, UUID id) {
        return orders.lock(tx, id)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("order", id)));
    }

    private static List<Line> lines(CreateOrderRequest request) {
        Set<String> seen = new HashSet<>();
        List<Line> lines = new ArrayList<>();
        for (var item : request.items()) {
            if (!seen.add(item.sku())) {
                throw ProblemException.badRequest("duplicate-sku",
                        "sku '" + item.sku() + "' appears more than once; give one line per sku");
            }
            lines.add(new Line(item.sku(), item.quantity()));
        }
        return lines;
    }

    /** A stable fingerprint of what was asked, to tell a retry from a different request under the same key. */
    static String hash(String customerId, List<Line> items) {
        StringBuilder canonical = new StringBuilder(customerId).append('\n');
        items.forEach(i -> canonical.append(i.sku()).append('\t').append(i.quantity()).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Unused-key marker: requests without Idempotency-Key never conflict. */
    static Optional<String> key(String header) {
        return Optional.ofNullable(header).filter(h -> !h.isBlank());
    }
}
