package dev.ordersaga.api.orders;

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

import dev.ordersaga.messaging.contract.StockMessages.Line;

/** SQL of the orders table. */
@ApplicationScoped
public class OrderRepository {

    private static final String COLUMNS = "id, customer_id, status, version, items, reason, created_at, updated_at";

    private static final String INSERT = """
            INSERT INTO orders (id, customer_id, status, version, items, idempotency_key, request_hash)
            VALUES ($1, $2, 'PENDING', 1, $3, $4, $5)
            ON CONFLICT (idempotency_key) DO NOTHING
            """ + "RETURNING " + COLUMNS;

    private static final String FIND_BY_KEY = "SELECT " + COLUMNS + ", request_hash FROM orders WHERE idempotency_key = $1";
    private static final String FIND = "SELECT " + COLUMNS + " FROM orders WHERE id = $1";
    private static final String LOCK = FIND + " FOR UPDATE";
    private static final String BY_CUSTOMER = "SELECT " + COLUMNS
            + " FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, id LIMIT $2";
    private static final String UPDATE_STATUS = """
            UPDATE orders SET status = $2, reason = COALESCE($3, reason), version = version + 1, updated_at = now()
            WHERE id = $1
            """ + "RETURNING " + COLUMNS;

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

    /** The order created with an idempotency key, with the hash of the request that created it. */
    public Uni<Optional<KeyedOrder>> findByIdempotencyKey(SqlConnection tx, String key) {
        return tx.preparedQuery(FIND_BY_KEY).execute(Tuple.of(key))
                .map(rows -> first(rows).map(o -> new KeyedOrder(o, rows.iterator().next().getString("request_hash"))));
    }

    public Uni<Optional<Order>> find(UUID id) {
        return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(OrderRepository::first);
    }

    /** Reads and locks an order for the rest of {@code tx}. */
    public Uni<Optional<Order>> lock(SqlConnection tx, UUID id) {
        return tx.preparedQuery(LOCK).execute(Tuple.of(id)).map(OrderRepository::first);
    }

    public Uni<List<Order>> byCustomer(String customerId, int limit) {
        return pool.preparedQuery(BY_CUSTOMER).execute(Tuple.of(customerId, limit))
                .map(rows -> rows.stream().map(Order::from).toList());
    }

    /** Moves a locked order to {@code status} and bumps its version. */
    public Uni<Order> updateStatus(SqlConnection tx, UUID id, OrderStatus status, String reason) {
        return tx.preparedQuery(UPDATE_STATUS).execute(Tuple.of(id, status.name(), reason))
                .map(rows -> Order.from(rows.iterator().next()));
    }

    private static Optional<Order> first(RowSet<Row> rows) {
        return rows.rowCount() == 0 ? Optional.empty() : Optional.of(Order.from(rows.iterator().next()));
    }

    /** An order and the hash of the request that created it under an idempotency key. */
    public record KeyedOrder(Order order, String requestHash) {
    }
}
