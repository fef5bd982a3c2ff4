package dev.ordersaga.api.domain;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Outbox payload that re-projects a customer whose replica fell behind in a way its pending
 * messages cannot fix (a change lost or deleted there): the customer's newest orders as of the
 * customer version the message's sequence number names, read in the same transaction that drew it.
 */
@RegisterForReflection
public record CustomerSnapshot(String customerId, List<Order> orders, boolean truncated) {

    public static final String TYPE = "CustomerSnapshot";
}
