package dev.ordersaga.api.replica;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.ordersaga.api.domain.Order;
import dev.ordersaga.http.InternalAuth;
import dev.ordersaga.http.ProblemException;

/**
 * {@code GET /debug/versions} (operators: INTERNAL_SECRET): how far the replica is behind the primary. Versions count changes:
 * the primary's is every change committed, the replica's every change applied to it (a change whose
 * message waits, is being retried or was dead-lettered is behind); with
 * {@code orderId} or {@code customerId} it also compares that record in both stores.
 */
@Path("/debug/versions")
@Produces(MediaType.APPLICATION_JSON)
@InternalAuth
public class ReplicaLagResource {

    private static final String TOTALS = """
            SELECT COALESCE((SELECT sum(last_seq) FROM outbox_sequence WHERE destination = 'replica'), 0) AS changes,
                   count(*) AS behind,
                   count(*) FILTER (WHERE status = 'dead') AS dead,
                   COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0) AS oldest_ms
            FROM outbox WHERE destination = 'replica' AND status <> 'sent'""";
    private static final String ORDER = "SELECT version, customer_id FROM orders WHERE id = $1";
    private static final String CUSTOMER = "SELECT last_seq FROM outbox_sequence WHERE destination = 'replica' AND aggregate_id = $1";

    private final Pool pool;
    private final ReplicaStore store;
    private final ReplicaConfig config;

    public ReplicaLagResource(Pool pool, ReplicaStore store, ReplicaConfig config) {
        this.pool = pool;
        this.store = store;
        this.config = config;
    }

    @GET
    public Uni<Map<String, Object>> versions(@QueryParam("orderId") String orderId,
            @QueryParam("customerId") String customerId) {
        Map<String, Object> out = new LinkedHashMap<>();
        Uni<Void> totals = pool.query(TOTALS).execute().map(rows -> {
            Row r = rows.iterator().next();
            long changes = r.getLong("changes");
            long behind = r.getLong("behind");
            out.put("primaryVersion", changes);
            out.put("replicaVersion", changes - behind);
            out.put("behind", behind);
            out.put("deadLettered", r.getLong("dead"));
            out.put("oldestPendingMs", Math.round(r.getDouble("oldest_ms")));
            out.put("configuredLagMs", config.lagMs());
            out.put("configuredLagJitterMs", config.lagJitterMs());
            return null;
        });
        Uni<Void> order = orderId == null ? Uni.createFrom().voidItem() : compareOrder(parse(orderId), out);
        Uni<Void> customer = customerId == null ? Uni.createFrom().voidItem() : compareCustomer(customerId, out);
        return totals.chain(() -> order).chain(() -> customer).replaceWith(out);
    }

    private Uni<Void> compareOrder(UUID id, Map<String, Object> out) {
        Map<String, Object> cmp = new LinkedHashMap<>();
        return pool.preparedQuery(ORDER).execute(Tuple.of(id))
                .invoke(rows -> cmp.put("primaryVersion", rows.rowCount() == 0 ? null : rows.iterator().next().getLong(0)))
                .chain(() -> store.fetch(OrderRecord.key(id), OrderRecord.class, OrderRecord::newer))
                .invoke(found -> {
                    cmp.put("replicaVersion", found.value().map(r -> r.order().version()).orElse(null));
                    cmp.put("replicaSiblings", found.versions().size());
                })
                .onFailure().invoke(f -> cmp.put("replicaError", f.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .invoke(() -> out.put("order", cmp))
                .replaceWithVoid();
    }

    private Uni<Void> compareCustomer(String customerId, Map<String, Object> out) {
        Map<String, Object> cmp = new LinkedHashMap<>();
        return pool.preparedQuery(CUSTOMER).execute(Tuple.of(customerId))
                .invoke(rows -> cmp.put("primaryVersion", rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong(0)))
                .chain(() -> store.fetch(CustomerOrdersRecord.key(customerId), CustomerOrdersRecord.class,
                        CustomerOrdersRecord.merger(config.listMax())))
                .invoke(found -> {
                    Optional<CustomerOrdersRecord> r = found.value();
                    cmp.put("replicaVersion", r.map(CustomerOrdersRecord::version).orElse(0L));
                    cmp.put("replicaOrders", r.map(c -> c.orders().size()).orElse(0));
                    cmp.put("replicaOrderIds", r.map(c -> c.orders().stream().map(Order::id).toList()).orElse(List.of()));
                })
                .onFailure().invoke(f -> cmp.put("replicaError", f.getClass().getSimpleName()))
                .onFailure().recoverWithNull()
                .invoke(() -> out.put("customer", cmp))
                .replaceWithVoid();
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-order-id", "orderId is not a UUID");
        }
    }
}
