package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * Two api instances publish from one outbox at once, and one is killed (SIGKILL) while it holds a
 * batch in flight. The other takes the dead one's rows over once their lease ends: every message is
 * delivered, none stays claimed past its lease, and nothing is reserved twice. Then the worker is
 * killed the same way with batches in it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublisherLeaseIT {

    private static OrderStack stack;
    private static ServiceProcess secondApi;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("publisher-lease")
                .workerEnv("SIM_SLOW_WORKER_MS", "1500")
                .apiEnv("WORKER_CLIENT_TIMEOUT_MS", "10000")
                .apiEnv("OUTBOX_LEASE", "4s")
                .build().start();
        secondApi = stack.apiProcess("api-b", Ports.free())
                .env("WORKER_CLIENT_TIMEOUT_MS", "10000")
                .env("OUTBOX_LEASE", "4s")
                .start();
        flow = new Flow(stack, secondApi.url());
    }

    @AfterAll
    static void stop() {
        if (secondApi != null) {
            secondApi.stop();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void twoPublishersDeliverEachMessageAndADeadOnesClaimsAreTakenOverAfterTheirLease() {
        flow.setStock("lease-apple", 1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(flow.order(stack.api.url(), "c-lease", "lease-apple", 1));
            ids.add(flow.order(secondApi.url(), "c-lease", "lease-apple", 1));
        }
        // The first instance holds some of its rows in flight: the worker takes 1.5 s per job.
        await().atMost(Duration.ofSeconds(10)).until(() -> flow.ordersDb(
                "SELECT count(*) FROM outbox WHERE status = 'in_flight' AND claimed_by LIKE ?",
                "%" + pid(stack.api) + "%") > 0);
        stack.api.kill();
        // The api Service now has one endpoint left: callbacks go to the survivor.
        stack.workerToApi.retarget(secondApi.port());

        flow.awaitStatus(ids, "CONFIRMED", Duration.ofSeconds(90));
        flow.awaitOutboxesDrained(Duration.ofSeconds(60));
        assertThat(flow.ordersDb("SELECT count(*) FROM outbox WHERE status = 'in_flight' AND next_attempt_at < now()"))
                .as("rows claimed past their lease").isZero();
        assertThat(flow.stockDb("SELECT count(*) FROM reservations WHERE status = 'RESERVED'")).isEqualTo(ids.size());
        flow.assertConserved("lease-apple", 1000, ids.size());
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("version")).isEqualTo(2L));
    }

    /**
     * The worker is killed (SIGKILL) while batches of the api's commands wait in it (it takes 1.5 s
     * before applying a batch) and while its own results may be on their way: once it is back, every
     * order is confirmed once and stock is conserved.
     */
    @Test
    @Order(2)
    void aWorkerKilledWithBatchesInItLosesNothingAndDoublesNothing() {
        flow.setStock("crash-pear", 1000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(flow.order(secondApi.url(), "c-crash", "crash-pear", 1));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> flow.ordersDb(
                "SELECT count(*) FROM outbox WHERE status = 'in_flight' AND destination = 'worker'") > 0);
        stack.worker.kill();
        stack.worker.start();

        flow.awaitStatus(ids, "CONFIRMED", Duration.ofSeconds(90));
        flow.awaitOutboxesDrained(Duration.ofSeconds(60));
        assertThat(flow.stockDb("SELECT count(*) FROM reservations WHERE status = 'RESERVED' AND order_id IN ("
                + String.join(",", ids.stream().map(id -> "'" + id + "'").toList()) + ")")).isEqualTo(ids.size());
        flow.assertConserved("crash-pear", 1000, ids.size());
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("version")).isEqualTo(2L));
    }

    private static String pid(ServiceProcess process) {
        return String.valueOf(process.pid()) + "@";
    }
}
