package dev.ordersaga.api.orders;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.OutboxMetrics;

/**
 * Admission control for new orders: while the api's outbox holds more than {@code ORDERS_MAX_BACKLOG}
 * unsent messages (pending or in flight, as last counted every {@code OUTBOX_METRICS_EVERY}), a new
 * order is refused with 503 and {@code Retry-After} before anything is written, so the backlog
 * cannot grow without bound when deliveries fall behind the intake. Orders are still accepted as
 * PENDING through a partition until the backlog reaches the bound.
 */
@Startup
@ApplicationScoped
public class Admission {

    private final OutboxMetrics outbox;
    private final long maxBacklog;
    private final Counter refused;

    public Admission(OutboxMetrics outbox, OrdersConfig config, MeterRegistry registry) {
        this.outbox = outbox;
        this.maxBacklog = config.maxBacklog();
        this.refused = Counter.builder("orders.admission.refused")
                .description("New orders refused (503) because the outbox backlog passed ORDERS_MAX_BACKLOG")
                .register(registry);
    }

    /** Throws a 503 problem when the outbox backlog is past the bound; otherwise returns at once. */
    public void admitNewOrder() {
        long backlog = outbox.backlog();
        if (backlog > maxBacklog) {
            refused.increment();
            throw new ProblemException(503, "backlog-full", "Service Unavailable",
                    "the api holds " + backlog + " undelivered messages, more than ORDERS_MAX_BACKLOG (" + maxBacklog
                            + "): new orders are refused until deliveries catch up; retry later")
                    .with("backlog", backlog).with("maxBacklog", maxBacklog);
        }
    }
}
