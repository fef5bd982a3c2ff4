package dev.ordersaga.outbox;

import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Backlog gauges ({@code outbox.messages{status=pending|in_flight|failed|dead}}). Counting rows is a
 * query, so it is refreshed on a schedule rather than at scrape time.
 */
@io.quarkus.runtime.Startup
@ApplicationScoped
public class OutboxMetrics {

    private static final String[] STATUSES = { "pending", "in_flight", "failed", "dead" };

    private final OutboxRepository repository;
    private final AtomicLongArray counts = new AtomicLongArray(STATUSES.length);

    public OutboxMetrics(OutboxRepository repository, MeterRegistry registry) {
        this.repository = repository;
        for (int i = 0; i < STATUSES.length; i++) {
            int index = i;
            Gauge.builder("outbox.messages", counts, c -> c.get(index))
                    .tag("status", STATUSES[i])
                    .description("Outbox rows by status (failed: pending after a failed delivery)")
                    .register(registry);
        }
    }

    /** Unsent messages (pending or in flight) at the last count. */
    public long backlog() {
        return counts.get(0) + counts.get(1);
    }

    @Scheduled(every = "{outbox.metrics-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refresh() {
        return repository.counts()
                .invoke(values -> {
                    for (int i = 0; i < values.length; i++) {
                        counts.set(i, values[i]);
                    }
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
