package dev.ordersaga.api.domain;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Outbox payload of a change to project: the order after the change. The message's aggregate is the
 * customer, so its sequence number is the customer version the change produced.
 */
@RegisterForReflection
public record OrderChanged(Order order) {

    /** Outbox destination of the read model. */
    public static final String DESTINATION = "replica";
    public static final String TYPE = "OrderChanged";
}
