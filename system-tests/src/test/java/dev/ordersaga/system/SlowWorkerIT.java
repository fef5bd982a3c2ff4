package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.OrderStack;

/**
 * Seed experiment C: the worker is slower than the api's timeout. Every call times out on the api's
 * side, yet the worker finishes each job; the retries that follow are duplicates the worker's inbox
 * recognises. Each order ends CONFIRMED exactly once, its stock reserved exactly once.
 */
class SlowWorkerIT {

    private static OrderStack stack;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("slow-worker")
                .workerEnv("SIM_SLOW_WORKER_MS", "1500")
                .apiEnv("WORKER_CLIENT_TIMEOUT_MS", "400")
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
    void workerSlowerThanTheTimeoutStillConfirmsEachOrderExactlyOnce() {
        flow.setStock("slow-apple", 100);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(flow.order("c-slow", "slow-apple", 3));
        }
        flow.awaitStatus(ids, "CONFIRMED", Duration.ofSeconds(60));
        flow.awaitOutboxesDrained(Duration.ofSeconds(60));

        // The api gave up on calls the worker went on to finish.
        assertThat(flow.ordersDb("SELECT count(*) FROM outbox WHERE message_type = 'ReserveStock' AND attempts > 1"))
                .isPositive();
        assertThat(flow.stockDb("SELECT count(*) FROM reservations WHERE status = 'RESERVED'")).isEqualTo(ids.size());
        flow.assertConserved("slow-apple", 100, 3L * ids.size());
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("version")).isEqualTo(2L));
    }
}
