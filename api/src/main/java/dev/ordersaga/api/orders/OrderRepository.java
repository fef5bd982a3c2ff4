package dev.ordersaga.api.orders;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.ordersaga.api.domain.Order;
import dev.ordersaga.api.domain.OrderStatus;
import dev.ordersaga.contract.StockMessages.Line;

/** SQL of the orders table. */
@ApplicationScoped
public class OrderRepository {

    private static final String COLUMNS = "id, customer_id, status, version, items, reason, created_at, updated_at";

    private static final String INSERT = """
            INSERT INTO orders (id, customer_id, status, version, items, idempotency_key, request_hash)
            VALUES ($1, $2, 'PENDING', 1, $3, $4, $5)
            ON CONFLICT (customer_id, idempotency_key) DO NOTHING
            """ + "RETURNING " + COLUMNS;

    private static final String FIND_BY_KEY = "SELECT " + COLUMNS
            + ", request_hash FROM orders WHERE customer_id = $1 AND idempotency_key = $2";
    private static final String FIND = "SELECT " + COLUMNS + " FROM orders WHERE id = $1";
    private static final String LOCK = FIND + " FOR UPDATE";
    private static final String UPDATE_STATUS = """
            UPDATE orders SET status = $2, reason = COALESCE($3, reason), version = version + 1, updated_at = now()
            WHERE id = $1
            """ + "RETURNING " + COLUMNS;

    /** The customer version: how many changes the customer's orders have had (the read model's aggregate sequence). */
    private static final String CUSTOMER_VERSION = "COALESCE((SELECT s.last_seq FROM outbox_sequence s"
            + " WHERE s.destination = 'replica' AND s.aggregate_id = orders.customer_id), 0) AS customer_version";
    private static final String FIND_SEEN = "SELECT " + COLUMNS + ", " + CUSTOMER_VERSION + " FROM orders WHERE id = $1";
    private static final String BY_CUSTOMER_SEEN = "SELECT " + COLUMNS + ", " + CUSTOMER_VERSION
            + " FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT $2";
    private static final String CUSTOMER_VERSION_OF = "SELECT last_seq FROM outbox_sequence"
            + " WHERE destination = 'replica' AND aggregate_id = $1";
    private static final String BY_CUSTOMER = "SELECT " + COLUMNS
            + " FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT $2";

    private final Pool pool;

    public OrderRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts a PENDING order; empty when another order already holds the idempotency key. */
    public Uni<Optional<Order>> insert(SqlConnection tx, UUID id, String customerId, List<Line> items,
            String idempotencyKey, String requestHash) {
        JsonArray json = new JsonArray();
        items.forEach(i -> json.add(new JsonObject().put("sku", i.sku()).put("quantity", i.quantity())));
        return tx.preparedQuery(INSERT)
                .execute(Tuple.of(id, customerId, json, idempotencyKey, requestHash))
                .map(OrderRepository::first);
    }

    /** The order a customer created with an idempotency key, with the hash of the request that created it. */
    public Uni<Optional<KeyedOrder>> findByIdempotencyKey(SqlConnection tx, String customerId, String key) {
        return tx.preparedQuery(FIND_BY_KEY).execute(Tuple.of(customerId, key))
                .map(rows -> first(rows).map(o -> new KeyedOrder(o, rows.iterator().next().getString("request_hash"))));
    }

    /** An order with its customer's version, read in one snapshot. */
    public Uni<Optional<Seen<Order>>> findSeen(UUID id) {
        return pool.preparedQuery(FIND_SEEN).execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? Optional.<Seen<Order>>empty()
                        : Optional.of(seen(rows.iterator().next())));
    }

    /** A customer's newest orders with the customer's version, read in one snapshot (version 0 when it has none). */
    public Uni<Seen<List<Order>>> byCustomerSeen(String customerId, int limit) {
        return pool.preparedQuery(BY_CUSTOMER_SEEN).execute(Tuple.of(customerId, limit))
                .map(rows -> {
                    long version = 0;
                    List<Order> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(order(row));
                        version = row.getLong("customer_version");
                    }
                    return new Seen<>(list, version);
                });
    }

    /** A customer's newest orders, in {@code tx}. */
    public Uni<List<Order>> byCustomer(SqlConnection tx, String customerId, int limit) {
        return tx.preparedQuery(BY_CUSTOMER).execute(Tuple.of(customerId, limit))
                .map(rows -> rows.stream().map(OrderRepository::order).toList());
    }

    /** The customer's version as of {@code tx}. */
    public Uni<Long> customerVersion(SqlConnection tx, String customerId) {
        return tx.preparedQuery(CUSTOMER_VERSION_OF).execute(Tuple.of(customerId))
                .map(rows -> rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    private static Seen<Order> seen(Row row) {
        return new Seen<>(order(row), row.getLong("customer_version"));
    }

    /** The customers of the given orders (those that exist). */
    public Uni<List<String>> customersOf(SqlConnection tx, List<UUID> ids) {
        return tx.preparedQuery("SELECT DISTINCT customer_id FROM orders WHERE id = ANY($1::uuid[])")
                .execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    List<String> customers = new ArrayList<>();
                    rows.forEach(row -> customers.add(row.getString(0)));
                    return customers;
                });
    }

    /** Reads and locks an order for the rest of {@code tx}. */
    public Uni<Optional<Order>> lock(SqlConnection tx, UUID id) {
        return tx.preparedQuery(LOCK).execute(Tuple.of(id)).map(OrderRepository::first);
    }

    /** Moves a locked order to {@code status} and bumps its version. */
    public Uni<Order> updateStatus(SqlConnection tx, UUID id, OrderStatus status, String reason) {
        return tx.preparedQuery(UPDATE_STATUS).execute(Tuple.of(id, status.name(), reason))
                .map(rows -> order(rows.iterator().next()));
    }

    private static Optional<Order> first(RowSet<Row> rows) {
        return rows.rowCount() == 0 ? Optional.empty() : Optional.of(order(rows.iterator().next()));
    }

    /** A value read from the primary and the customer version it reflects. */
    public record Seen<T>(T value, long customerVersion) {
    }

    /** An order and the hash of the request that created it under an idempotency key. */
    public record KeyedOrder(Order order, String requestHash) {
    }

    /** An order from its row. */
    static Order order(Row row) {
        List<Line> items = row.getJsonArray("items").stream()
                .map(JsonObject.class::cast)
                .map(o -> new Line(o.getString("sku"), o.getInteger("quantity")))
                .toList();
        return new Order(
                row.getUUID("id"),
                row.getString("customer_id"),
                OrderStatus.valueOf(row.getString("status")),
                row.getLong("version"),
                items,
                row.getString("reason"),
                row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }
}
