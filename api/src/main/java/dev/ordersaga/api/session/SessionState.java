package dev.ordersaga.api.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What one session has seen or written: the minimum version it must see of each order it touched
 * (the most recent {@value #MAX_ORDERS}), and the minimum version of each customer's order list (the
 * most recent {@value #MAX_CUSTOMERS}, keyed by a 64-bit hash of the customer id).
 *
 * <p>A customer's list version grows by one with every change to any of its orders, so a replica
 * list at version {@code c} holds every order of that customer at least as new as at {@code c}. An
 * order entry that falls out of the session is therefore still covered by its customer's entry. When
 * a customer entry falls out too, the session is marked {@code overflowed}: from then on, any customer
 * it does not name is read from the primary under {@code auto}. The state, and the token, stay bounded.
 */
public final class SessionState {

    public static final int MAX_ORDERS = 16;
    public static final int MAX_CUSTOMERS = 8;

    private final LinkedHashMap<UUID, Long> orders;
    /** Per customer: {least version of anything seen, least version of a list shown}. */
    private final LinkedHashMap<Long, long[]> customers;
    private boolean overflowed;

    private SessionState(LinkedHashMap<UUID, Long> orders, LinkedHashMap<Long, long[]> customers, boolean overflowed) {
        this.orders = orders;
        this.customers = customers;
        this.overflowed = overflowed;
    }

    /** A session that has seen nothing. */
    public static SessionState fresh() {
        return new SessionState(new LinkedHashMap<>(), new LinkedHashMap<>(), false);
    }

    static SessionState of(Map<UUID, Long> orders, Map<Long, long[]> customers, boolean overflowed) {
        return new SessionState(new LinkedHashMap<>(orders), new LinkedHashMap<>(customers), overflowed);
    }

    /** Records that the session saw (or wrote) {@code order} at {@code version}, and its customer at {@code customerVersion}. */
    public SessionState sawOrder(UUID order, long version, String customerId, long customerVersion) {
        touch(orders, order, version);
        while (orders.size() > MAX_ORDERS) {
            orders.remove(orders.keySet().iterator().next());
        }
        return sawCustomer(customerId, customerVersion);
    }

    /** Records that the session saw one of a customer's orders as of customer version {@code customerVersion}. */
    public SessionState sawCustomer(String customerId, long customerVersion) {
        return customer(customerId, customerVersion, 0);
    }

    /**
     * Records that the session was shown a customer's list as of customer version {@code customerVersion}:
     * from now on every order of that customer it reads must be at least as new as that list showed it.
     */
    public SessionState sawList(String customerId, long customerVersion) {
        return customer(customerId, customerVersion, customerVersion);
    }

    private SessionState customer(String customerId, long seen, long listed) {
        long key = customerKey(customerId);
        long[] old = customers.remove(key);
        customers.put(key, old == null ? new long[] { seen, listed }
                : new long[] { Math.max(old[0], seen), Math.max(old[1], listed) });
        while (customers.size() > MAX_CUSTOMERS) {
            customers.remove(customers.keySet().iterator().next());
            overflowed = true;
        }
        return this;
    }

    private static <K> void touch(LinkedHashMap<K, Long> map, K key, long version) {
        Long old = map.remove(key);
        map.put(key, old == null ? version : Math.max(old, version));
    }

    /** The least version of {@code order} this session may be shown, if it has one. */
    public OptionalLong minOrderVersion(UUID order) {
        Long v = orders.get(order);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /**
     * The least list version of the customer this session may be shown: its entry, or, when the
     * session has lost entries, {@code Long.MAX_VALUE} (read from the primary), or 0 (anything will do).
     */
    public long minCustomerVersion(String customerId) {
        long[] v = customers.get(customerKey(customerId));
        if (v != null) {
            return v[0];
        }
        return overflowed ? Long.MAX_VALUE : 0;
    }

    /**
     * The customer version of the newest list of the customer this session was shown: an order it
     * names must also be at least as new as that list showed it ({@code Long.MAX_VALUE} or 0 as above).
     */
    public long minListVersion(String customerId) {
        long[] v = customers.get(customerKey(customerId));
        if (v != null) {
            return v[1];
        }
        return overflowed ? Long.MAX_VALUE : 0;
    }

    public boolean overflowed() {
        return overflowed;
    }

    Map<UUID, Long> orders() {
        return orders;
    }

    Map<Long, long[]> customers() {
        return customers;
    }

    /** A stable 64-bit key for a customer id (SHA-256 prefix); two ids sharing one only make reads more cautious. */
    static long customerKey(String customerId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(customerId.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = (k << 8) | (d[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionState s && s.overflowed == overflowed && s.orders.equals(orders)
                && flat(s.customers).equals(flat(customers));
    }

    @Override
    public int hashCode() {
        return orders.hashCode() * 31 + flat(customers).hashCode() + (overflowed ? 1 : 0);
    }

    private static Map<Long, List<Long>> flat(Map<Long, long[]> map) {
        Map<Long, List<Long>> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, List.of(v[0], v[1])));
        return out;
    }

    @Override
    public String toString() {
        return "SessionState{orders=" + orders + ", customers=" + flat(customers) + ", overflowed=" + overflowed + "}";
    }
}
