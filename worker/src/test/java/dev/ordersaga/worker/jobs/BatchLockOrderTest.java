package dev.ordersaga.worker.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.UnitOfWork;
import dev.ordersaga.outbox.inbox.Inbox;
import dev.ordersaga.outbox.inbox.InboxHandler;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Two batches applied at once, each reserving the same two skus in the opposite order of the
 * other: the worker locks a batch's stock rows in sku order before it applies any message, so they
 * never deadlock. The same batches through a handler that does not lock ahead deadlock (PostgreSQL
 * fails one transaction, the inbox runs that batch again): the conflict counter shows it.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = JobResourceTest.DB))
class BatchLockOrderTest {

    private static final String SECRET = "Bearer test-internal-secret";
    private static final int ROUNDS = 10;

    @Inject
    Inbox inbox;

    @Inject
    ReservationService reservations;

    @Inject
    ObjectMapper mapper;

    @Inject
    MeterRegistry registry;

    @Test
    void batchesOverTheSameSkusInOppositeOrdersNeverDeadlock() {
        String a = "lock-a-" + UUID.randomUUID(), b = "lock-b-" + UUID.randomUUID();
        double before = conflicts();
        run(reservations, a, b);
        assertThat(conflicts() - before).as("batches run again after a deadlock").isZero();
        assertConserved(a, b);
    }

    /** The negative control: the same batches, each message locking its own skus as it is applied. */
    @Test
    void withoutLockingAheadTheSameBatchesDeadlock() {
        InboxHandler plain = new InboxHandler() {
            @Override
            public String source() {
                return reservations.source();
            }

            @Override
            public Uni<Void> apply(UnitOfWork.Tx tx, Envelope envelope) {
                return reservations.apply(tx, envelope);
            }
        };
        String a = "plain-a-" + UUID.randomUUID(), b = "plain-b-" + UUID.randomUUID();
        double before = conflicts();
        run(plain, a, b);
        assertThat(conflicts() - before).as("batches run again after a deadlock").isPositive();
        assertConserved(a, b);
    }

    /** Rounds of two batches at once: [order on a, order on b] against [order on b, order on a]. */
    private void run(InboxHandler handler, String a, String b) {
        setStock(a, 1_000);
        setStock(b, 1_000);
        for (int i = 0; i < ROUNDS; i++) {
            var first = inbox.receiveBatch(reservations.source(), List.of(reserve(a), reserve(b)), handler);
            var second = inbox.receiveBatch(reservations.source(), List.of(reserve(b), reserve(a)), handler);
            Uni.join().all(first, second).andFailFast().await().atMost(Duration.ofSeconds(60));
        }
    }

    /** A reservation of one unit of {@code sku}, for an order whose id sorts so that the batch keeps its order. */
    private Envelope reserve(String sku) {
        String orderId = "o-" + System.nanoTime() + "-" + UUID.randomUUID();
        return new Envelope(UUID.randomUUID(), "ReserveStock", orderId, 1, "lock-order", Instant.now(),
                mapper.valueToTree(Map.of("orderId", orderId, "items", List.of(Map.of("sku", sku, "quantity", 1)))),
                null);
    }

    private double conflicts() {
        return registry.counter("inbox.batch.conflicts", "source", reservations.source()).count();
    }

    private static void setStock(String sku, long available) {
        given().header("Authorization", SECRET).contentType(ContentType.JSON).body("{\"available\":" + available + "}")
                .put("/stock/" + sku).then().statusCode(200);
    }

    private static void assertConserved(String... skus) {
        List<Long> reserved = new ArrayList<>();
        for (String sku : skus) {
            reserved.add(given().header("Authorization", SECRET).get("/stock/" + sku).jsonPath().getLong("reserved"));
        }
        assertThat(reserved).containsOnly((long) 2 * ROUNDS);
    }
}
