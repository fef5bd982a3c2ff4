package dev.ordersaga.api.orders;

import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Intake of new orders (prefix {@code orders}). */
@ConfigMapping(prefix = "orders")
public interface OrdersConfig {

    /** {@code ORDERS_MAX_BACKLOG}: undelivered outbox messages past which new orders are refused (503). */
    @WithDefault("100000")
    @Min(value = 1, message = "ORDERS_MAX_BACKLOG=${validatedValue}: must be at least 1")
    long maxBacklog();
}
