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

import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderChanged;
import dev.ordersaga.api.domain.OrderStateMachine;
import dev.ordersaga.contract.Destinations;
import dev.ordersaga.contract.MessageTypes;
import dev.ordersaga.contract.StockMessages.Line;
import dev.ordersaga.contract.StockMessages.ReleaseStock;
import dev.ordersaga.contract.StockMessages.ReserveStock;
import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.NewMessage;
import dev.ordersaga.outbox.OutboxMessage;
import dev.ordersaga.outbox.UnitOfWork;

/**
 * The order's side of the saga. Every change and the message it causes are written in one unit of
 * work (orders + outbox); its messages get a first delivery attempt right after the commit.
 */
@ApplicationScoped
public class OrderService {

    private final UnitOfWork work;
    private final OrderRepository orders;

    public OrderService(UnitOfWork work, OrderRepository orders) {
        this.work = work;
        this.orders = orders;
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
        return work.run(tx -> insertOrReplay(tx, customerId, items, idempotencyKey, hash, requestId));
    }

    private Uni<Created> insertOrReplay(UnitOfWork.Tx tx, String customerId, List<Line> items, String key,
            String hash, String requestId) {
        UUID id = UUID.randomUUID();
        return orders.insert(tx.connection(), id, customerId, items, key, hash)
                .onItem().transformToUni(inserted -> inserted.isPresent()
                        ? reserve(tx, inserted.get(), requestId)
                                .chain(() -> project(tx, inserted.get(), requestId))
                                .map(customerVersion -> new Created(inserted.get(), customerVersion, false))
                        : replay(tx, customerId, key, hash));
    }

    private Uni<OutboxMessage> reserve(UnitOfWork.Tx tx, Order order, String requestId) {
        return tx.send(new NewMessage(Destinations.WORKER, MessageTypes.RESERVE_STOCK, order.id().toString(),
                new ReserveStock(order.id().toString(), order.items()), requestId));
    }

    /** Sends the order's new state to the read model; returns the customer version this change produced. */
    private Uni<Long> project(UnitOfWork.Tx tx, Order order, String requestId) {
        return tx.send(new NewMessage(OrderChanged.DESTINATION, OrderChanged.TYPE, order.customerId(),
                new OrderChanged(order), requestId)).map(OutboxMessage::seq);
    }

    /**
     * The order an earlier request with this {@code Idempotency-Key} created, replayed (as a repeat of
     * create would), or empty when the key is new. For a repeat that must be answered even while new
     * orders are refused.
     */
    public Uni<Optional<Created>> replayOnly(String customerId, CreateOrderRequest request, String idempotencyKey) {
        String hash = hash(customerId, lines(request));
        return work.run(tx -> orders.findByIdempotencyKey(tx.connection(), customerId, idempotencyKey)
                .onItem().transformToUni(found -> found.isEmpty()
                        ? Uni.createFrom().item(Optional.<Created> empty())
                        : replay(tx, customerId, idempotencyKey, hash).map(Optional::of)));
    }

    private Uni<Created> replay(UnitOfWork.Tx tx, String customerId, String key, String hash) {
        return orders.findByIdempotencyKey(tx.connection(), customerId, key)
                .map(found -> {
                    var keyed = found.orElseThrow(() -> new IllegalStateException("idempotency key vanished: " + key));
                    if (!keyed.requestHash().equals(hash)) {
                        throw new ProblemException(409, "idempotency-key-reused", "Idempotency key reused",
                                "this Idempotency-Key was used for a different request")
                                .with("orderId", keyed.order().id().toString());
                    }
                    return keyed.order();
                })
                .chain(order -> orders.customerVersion(tx.connection(), order.customerId())
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
     * in the same transaction. Another customer's order is a 404, as if it did not exist. The
     * customer's replica sequence is locked before the order, the order in which a batch of worker
     * events takes them ({@link #lockAheadForEvents}), so the two never wait on each other in a cycle.
     */
    public Uni<Written> apply(UUID id, OrderStateMachine.Command command, String requestId, String customerId) {
        return work.run(tx -> tx.lockSequences(OrderChanged.DESTINATION, List.of(customerId))
                .chain(() -> orders.lock(tx.connection(), id))
                .map(found -> found.filter(o -> o.customerId().equals(customerId))
                        .orElseThrow(() -> ProblemException.notFound("order", id)))
                .onItem().transformToUni(order -> {
                    var decision = OrderStateMachine.onCommand(order.status(), command);
                    return change(tx, order, decision, null, requestId);
                })
                .chain(order -> projectedVersion(tx.sent())
                        .map(v -> Uni.createFrom().item(new Written(order, v)))
                        .orElseGet(() -> orders.customerVersion(tx.connection(), order.customerId())
                                .map(v -> new Written(order, v)))));
    }

    private static Optional<Long> projectedVersion(List<OutboxMessage> sent) {
        return sent.stream().filter(m -> OrderChanged.DESTINATION.equals(m.destination()))
                .map(OutboxMessage::seq).max(Long::compare);
    }

    /**
     * Applies a decision to a locked order inside {@code tx}: updates it if its state changes and
     * sends ReleaseStock if asked to. Used by client commands and worker events alike.
     */
    public Uni<Order> change(UnitOfWork.Tx tx, Order order, OrderStateMachine.Decision decision, String reason,
            String requestId) {
        Uni<Order> updated = decision.changes(order.status())
                ? orders.updateStatus(tx.connection(), order.id(), decision.next(), reason)
                        .call(o -> project(tx, o, requestId))
                : Uni.createFrom().item(order);
        if (!decision.releaseStock()) {
            return updated;
        }
        var release = new NewMessage(Destinations.WORKER, MessageTypes.RELEASE_STOCK, order.id().toString(),
                new ReleaseStock(order.id().toString()), requestId);
        return updated.call(o -> tx.send(release));
    }

    /**
     * Takes ahead, in one fixed order, the locks that applying worker events to these orders will
     * take beyond the orders' own rows: the sequence rows of their customers' replica changes (every
     * change of an order sends one for its customer). A batch applies its events in order of order id,
     * so two batches would otherwise lock the same customers in different orders and deadlock.
     */
    public Uni<Void> lockAheadForEvents(UnitOfWork.Tx tx, List<UUID> ids) {
        return ids.isEmpty() ? Uni.createFrom().voidItem()
                : orders.customersOf(tx.connection(), ids).chain(customers -> tx.lockSequences(OrderChanged.DESTINATION, customers));
    }

    /** Reads a locked order for a worker event; 404 when the api has never heard of it. */
    public Uni<Order> lockForEvent(UnitOfWork.Tx tx, UUID id) {
        return orders.lock(tx.connection(), id)
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
    public static Optional<String> key(String header) {
        return Optional.ofNullable(header).filter(h -> !h.isBlank());
    }
}
