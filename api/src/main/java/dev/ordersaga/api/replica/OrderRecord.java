package dev.ordersaga.api.replica;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.ordersaga.api.domain.Order;

/**
 * The replica's copy of one order (key {@code order:<id>}): the order as of one of its versions, and
 * the version of its customer's order list that this change produced.
 */
@RegisterForReflection
public record OrderRecord(Order order, long customerVersion) {

    public static String key(Object orderId) {
        return "order:" + GatewayKeys.encode(String.valueOf(orderId));
    }

    /** The newer of two copies of the same order; a copy never moves backwards. */
    public static OrderRecord newer(OrderRecord a, OrderRecord b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.order.version() != b.order.version()) {
            return a.order.version() > b.order.version() ? a : b;
        }
        return a.customerVersion >= b.customerVersion ? a : b;
    }
}
