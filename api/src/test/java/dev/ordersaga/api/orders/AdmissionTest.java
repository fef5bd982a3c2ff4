package dev.ordersaga.api.orders;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.contract.StockMessages;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Admission control: the worker is unreachable in the api's tests, so every order leaves messages in
 * the outbox; once more than {@code ORDERS_MAX_BACKLOG} are undelivered, a new order is a 503
 * {@code backlog-full} with {@code Retry-After}, and nothing of it is written.
 */
@QuarkusTest
@TestProfile(AdmissionTest.SmallBacklog.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class AdmissionTest {

    static final int MAX_BACKLOG = 5;

    public static class SmallBacklog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("orders.max-backlog", String.valueOf(MAX_BACKLOG), "outbox.metrics-every", "1s");
        }
    }

    @BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    @Test
    void pastTheBacklogBoundANewOrderIs503WithRetryAfterAndWritesNothing() {
        AtomicReference<Response> refused = new AtomicReference<>();
        AtomicReference<String> refusedKey = new AtomicReference<>();
        AtomicReference<String> acceptedKey = new AtomicReference<>();
        AtomicReference<String> acceptedId = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String key = "admission-" + UUID.randomUUID();
            Response r = order(key);
            assertThat(r.statusCode()).as(r.asString()).isIn(202, 503);
            if (r.statusCode() == 503) {
                refused.set(r);
                refusedKey.set(key);
                return true;
            }
            acceptedKey.set(key);
            acceptedId.set(r.path("id"));
            return false;
        });
        Response r = refused.get();
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.<String>path("type")).endsWith("/backlog-full");
        assertThat(r.<Integer>path("maxBacklog")).isEqualTo(MAX_BACKLOG);
        assertThat(r.<Integer>path("backlog")).isGreaterThan(MAX_BACKLOG);
        assertThat(ApiDatabase.rows("SELECT id FROM orders WHERE idempotency_key = ?", refusedKey.get())).isEmpty();
        assertThat(ApiDatabase.rows("SELECT 1 FROM outbox WHERE status IN ('pending', 'in_flight')")).hasSizeGreaterThan(MAX_BACKLOG);
        // A repeat of a request accepted before is answered with its order while new ones are refused.
        if (acceptedKey.get() == null) {
            // the backlog was full from the first request on: an order accepted earlier, as the api writes it
            acceptedKey.set("admission-" + UUID.randomUUID());
            acceptedId.set(UUID.randomUUID().toString());
            ApiDatabase.update("INSERT INTO orders (id, customer_id, status, version, items, idempotency_key, request_hash)"
                    + " VALUES (?::uuid, 'c-admission', 'PENDING', 1, '[{\"sku\":\"apple\",\"quantity\":1}]'::jsonb, ?, ?)",
                    acceptedId.get(), acceptedKey.get(),
                    OrderService.hash("c-admission", List.of(new StockMessages.Line("apple", 1))));
        }
        Response repeat = order(acceptedKey.get());
        assertThat(repeat.statusCode()).as(repeat.asString()).isEqualTo(202);
        assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(repeat.<String>path("id")).isEqualTo(acceptedId.get());
        assertThat(order("admission-" + UUID.randomUUID()).statusCode()).isEqualTo(503);
    }

    private static Response order(String key) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"customerId\":\"c-admission\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders");
    }
}
