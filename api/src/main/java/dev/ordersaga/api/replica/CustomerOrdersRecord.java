package dev.ordersaga.api.replica;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BinaryOperator;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.api.domain.Order;

/**
 * The replica's copy of one customer's order list (key {@code customer-orders:<customerId>}, the id
 * percent-encoded).
 *
 * <p>Every change to an order of the customer has a gap-free customer version (the outbox's
 * per-aggregate sequence). {@code version} is the highest {@code v} such that every change up to
 * {@code v} has been applied here; {@code ahead} holds versions applied out of order beyond it. So a
 * record at version {@code c} shows every order at least as new as it was at {@code c}. The newest
 * {@code max} orders (by creation) are kept; {@code truncated} says older ones were let go.
 *
 * <p>Merging is a join (commutative, associative, idempotent), so siblings from concurrent writers
 * and repeated deliveries all settle on the same record.
 */
@RegisterForReflection
public record CustomerOrdersRecord(String customerId, long version, List<Long> ahead, boolean truncated,
        List<Order> orders) {

    /** Newest first, as the primary lists them. */
    public static final Comparator<Order> NEWEST_FIRST = Comparator.comparing(Order::createdAt).reversed()
            .thenComparing(o -> o.id().toString());

    /**
     * Versions kept in {@code ahead} at most. Past it the highest are let go: the record then claims
     * less than it holds (it looks behind, and reads fall back to the primary until the reconciler's
     * snapshot fills the gap), never more.
     */
    public static final int MAX_AHEAD = 256;

    /** The list's key: {@code customer-orders:<customer id, percent-encoded>} ({@link GatewayKeys}). */
    public static String key(String customerId) {
        return "customer-orders:" + GatewayKeys.encode(customerId);
    }

    public static CustomerOrdersRecord empty(String customerId) {
        return new CustomerOrdersRecord(customerId, 0, List.of(), false, List.of());
    }

    /**
     * This record with a snapshot applied: the customer's newest orders as of customer version
     * {@code snapshotVersion}, so every change up to it is reflected.
     */
    public CustomerOrdersRecord applySnapshot(long snapshotVersion, List<Order> newest, boolean more, int max) {
        return merge(this, new CustomerOrdersRecord(customerId, snapshotVersion, List.of(), more, newest), max);
    }

    /** This record with one change applied: {@code order} as produced by customer version {@code changeVersion}. */
    public CustomerOrdersRecord apply(long changeVersion, Order order, int max) {
        var single = new CustomerOrdersRecord(customerId, 0, List.of(changeVersion), false, List.of(order));
        return merge(this, single, max);
    }

    /** The join of two records of the same customer. */
    public static CustomerOrdersRecord merge(CustomerOrdersRecord a, CustomerOrdersRecord b, int max) {
        long version = Math.max(a.version, b.version);
        TreeSet<Long> ahead = new TreeSet<>();
        a.ahead.forEach(ahead::add);
        b.ahead.forEach(ahead::add);
        ahead.headSet(version, true).clear();
        while (!ahead.isEmpty() && ahead.first() == version + 1) {
            version = ahead.pollFirst();
        }
        while (ahead.size() > MAX_AHEAD) {
            ahead.pollLast();
        }
        Map<UUID, Order> byId = new HashMap<>();
        for (Order o : a.orders) {
            byId.merge(o.id(), o, CustomerOrdersRecord::newer);
        }
        for (Order o : b.orders) {
            byId.merge(o.id(), o, CustomerOrdersRecord::newer);
        }
        List<Order> orders = new ArrayList<>(byId.values());
        orders.sort(NEWEST_FIRST);
        boolean truncated = a.truncated || b.truncated;
        if (orders.size() > max) {
            orders = new ArrayList<>(orders.subList(0, max));
            truncated = true;
        }
        return new CustomerOrdersRecord(a.customerId != null ? a.customerId : b.customerId, version,
                List.copyOf(ahead), truncated, List.copyOf(orders));
    }

    /** {@link #merge} for records that keep at most {@code max} orders, to fold siblings with. */
    public static BinaryOperator<CustomerOrdersRecord> merger(int max) {
        return (a, b) -> merge(a, b, max);
    }

    private static Order newer(Order x, Order y) {
        return x.version() >= y.version() ? x : y;
    }

    /** Whether this record can answer a list of {@code limit} orders as the primary would. */
    public boolean canList(int limit) {
        return !truncated || orders.size() >= limit;
    }
}
