package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.TcpProxy.Mode;

/**
 * When a destination answers again, the messages waiting out their backoff for it are sent at once:
 * with a long backoff (10 to 20 s after a first failure), orders stuck behind a healed cut are
 * delivered as soon as one delivery succeeds, before any of their retries is due.
 */
class RecoveredDestinationIT {

    private static OrderStack stack;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("recovered-destination")
                .apiEnv("OUTBOX_BACKOFF_BASE", "20s")
                .apiEnv("OUTBOX_BACKOFF_CAP", "40s")
                .build().start();
        flow = new Flow(stack);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aHealedDestinationGetsItsBacklogBeforeTheBackoffIsDue() {
        String sku = "recovered";
        flow.setStock(sku, 100);
        stack.apiToWorker.mode(Mode.REFUSE);
        List<String> stuck = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stuck.add(flow.order("c-recovered", sku, 1));
        }
        String[] ids = stuck.toArray(String[]::new);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(flow.ordersDb(
                "SELECT count(*) FROM outbox WHERE destination = 'worker' AND status = 'pending' AND attempts >= 1"
                        + " AND aggregate_id = ANY(?)", (Object) ids)).isEqualTo(3));
        long firstRetryDue = flow.ordersDb("SELECT (EXTRACT(EPOCH FROM min(next_attempt_at)) * 1000)::bigint FROM outbox"
                + " WHERE destination = 'worker' AND aggregate_id = ANY(?)", (Object) ids);

        stack.apiToWorker.heal();
        // past the breaker's delay, so that the next call is let through
        sleep(Duration.ofMillis(1500));
        String trigger = flow.order("c-recovered", sku, 1);
        flow.awaitStatus(List.of(trigger), "CONFIRMED", Duration.ofSeconds(20));
        flow.awaitStatus(stuck, "CONFIRMED", Duration.ofSeconds(60));

        long lastSent = flow.ordersDb("SELECT (EXTRACT(EPOCH FROM max(sent_at)) * 1000)::bigint FROM outbox"
                + " WHERE destination = 'worker' AND aggregate_id = ANY(?)", (Object) ids);
        assertThat(lastSent).as("the backlog was sent before the first of its retries was due").isLessThan(firstRetryDue);
        flow.assertConserved(sku, 100, 4);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
