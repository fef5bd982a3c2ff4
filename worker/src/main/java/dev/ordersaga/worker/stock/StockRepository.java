package dev.ordersaga.worker.stock;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.ordersaga.contract.StockMessages.Line;

/** SQL of stock levels and reservations. */
@ApplicationScoped
public class StockRepository {

    private static final String SET_AVAILABLE = """
            INSERT INTO stock (sku, available, reserved) VALUES ($1, $2, 0)
            ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available, updated_at = now()
            RETURNING sku, available, reserved""";
    private static final String FIND = "SELECT sku, available, reserved FROM stock WHERE sku = $1";
    // Locked in sku order, so that two reservations of overlapping skus cannot deadlock.
    private static final String LOCK_SKUS =
            "SELECT sku, available, reserved FROM stock WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE";
    private static final String MOVE = """
            UPDATE stock SET available = available - $2, reserved = reserved + $2, updated_at = now()
            WHERE sku = $1""";
    private static final String LOCK_RESERVATION =
            "SELECT order_id, items, status FROM reservations WHERE order_id = $1 FOR UPDATE";
    private static final String INSERT_RESERVATION = """
            INSERT INTO reservations (order_id, items, status, reason) VALUES ($1, $2, $3, $4)""";
    private static final String SET_RESERVATION_STATUS =
            "UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1";

    /** The skus these orders' reservations hold ($1), in sku order. */
    private static final String RESERVED_SKUS = """
            SELECT DISTINCT line->>'sku' AS sku FROM reservations, jsonb_array_elements(items) AS line
            WHERE order_id = ANY($1::text[]) AND status = 'RESERVED' ORDER BY 1""";

    private final Pool pool;

    public StockRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<StockLevel> setAvailable(String sku, long available) {
        return pool.preparedQuery(SET_AVAILABLE).execute(Tuple.of(sku, available))
                .map(rows -> StockLevel.from(rows.iterator().next()));
    }

    public Uni<Optional<StockLevel>> find(String sku) {
        return pool.preparedQuery(FIND).execute(Tuple.of(sku))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(StockLevel.from(rows.iterator().next())));
    }

    /** The skus the reservations of these orders hold, in sku order. */
    public Uni<List<String>> reservedSkus(SqlConnection tx, List<String> orderIds) {
        return tx.preparedQuery(RESERVED_SKUS).execute(Tuple.of(orderIds.toArray(String[]::new)))
                .map(rows -> rows.stream().map(r -> r.getString("sku")).filter(java.util.Objects::nonNull).toList());
    }

    /** Locks the stock rows of these skus (those that exist) for the rest of {@code tx}. */
    public Uni<List<StockLevel>> lock(SqlConnection tx, List<String> skus) {
        return tx.preparedQuery(LOCK_SKUS).execute(Tuple.of(skus.toArray(String[]::new)))
                .map(rows -> rows.stream().map(StockLevel::from).toList());
    }

    /** Moves {@code quantity} units of each line from available to reserved (negative: back). */
    public Uni<Void> move(SqlConnection tx, List<Line> lines, int sign) {
        List<Tuple> batch = lines.stream()
                .sorted((a, b) -> a.sku().compareTo(b.sku()))
                .map(l -> Tuple.of(l.sku(), (long) sign * l.quantity()))
                .toList();
        return tx.preparedQuery(MOVE).executeBatch(batch).replaceWithVoid();
    }

    public Uni<Optional<Reservation>> lockReservation(SqlConnection tx, String orderId) {
        return tx.preparedQuery(LOCK_RESERVATION).execute(Tuple.of(orderId))
                .map(StockRepository::reservation);
    }

    public Uni<Void> insertReservation(SqlConnection tx, String orderId, List<Line> lines, String status,
            String reason) {
        JsonArray items = new JsonArray();
        lines.forEach(l -> items.add(new JsonObject().put("sku", l.sku()).put("quantity", l.quantity())));
        return tx.preparedQuery(INSERT_RESERVATION).execute(Tuple.of(orderId, items, status, reason))
                .replaceWithVoid();
    }

    public Uni<Void> setReservationStatus(SqlConnection tx, String orderId, String status) {
        return tx.preparedQuery(SET_RESERVATION_STATUS).execute(Tuple.of(orderId, status)).replaceWithVoid();
    }

    private static Optional<Reservation> reservation(RowSet<Row> rows) {
        if (rows.rowCount() == 0) {
            return Optional.empty();
        }
        Row row = rows.iterator().next();
        List<Line> lines = row.getJsonArray("items").stream()
                .map(JsonObject.class::cast)
                .map(o -> new Line(o.getString("sku"), o.getInteger("quantity")))
                .toList();
        return Optional.of(new Reservation(row.getString("order_id"), lines, row.getString("status")));
    }

    /** What the worker holds (or held) for one order. */
    public record Reservation(String orderId, List<Line> items, String status) {
    }
}
