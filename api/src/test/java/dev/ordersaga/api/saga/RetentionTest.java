package dev.ordersaga.api.saga;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.outbox.OutboxPublisher;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Retention keeps up: expired sent outbox rows and processed inbox rows go in batches until none is
 * left (the old clean-up deleted 10,000 an hour), recent ones stay, and a duplicate of a message
 * whose inbox row is gone is still refused by its order's checkpoint.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class RetentionTest {

    @org.junit.jupiter.api.BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    private static final String SECRET = "Bearer test-internal-secret";

    @Inject
    OutboxPublisher publisher;

    @Test
    void expiredRowsGoInOneRunWhateverTheirNumberAndRecentOnesStay() {
        String tag = "retention-" + UUID.randomUUID();
        ApiDatabase.update("""
                INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, status, sent_at, created_at)
                SELECT gen_random_uuid(), 'worker', 'ReserveStock', ? || '-' || g, 1, '{}', 'sent',
                       now() - interval '8 days', now() - interval '8 days'
                FROM generate_series(1, 25000) g""", tag);
        ApiDatabase.update("""
                INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, status, sent_at)
                SELECT gen_random_uuid(), 'worker', 'ReserveStock', ? || '-recent-' || g, 1, '{}', 'sent', now()
                FROM generate_series(1, 10) g""", tag);
        ApiDatabase.update("""
                INSERT INTO inbox (message_id, source, message_type, aggregate_id, seq, payload, status, received_at, applied_at)
                SELECT gen_random_uuid(), 'worker', 'StockReserved', ? || '-' || g, 1, '{}', 'applied',
                       now() - interval '8 days', now() - interval '8 days'
                FROM generate_series(1, 12000) g""", tag);
        // one run leaves no expired row behind (the scheduled run may have taken some of them first)
        publisher.cleanUp(100).await().atMost(Duration.ofMinutes(2));
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id LIKE ?", tag + "-%")).isEqualTo(10);
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id LIKE ?", tag + "-recent-%")).isEqualTo(10);
        assertThat(ApiDatabase.count("SELECT count(*) FROM inbox WHERE aggregate_id LIKE ?", tag + "-%")).isZero();
    }

    @Test
    void aDuplicateOfAMessageWhoseInboxRowExpiredIsStillRefused() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"c-retention\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(202).extract().path("id");
        String body = OrderEventsResourceTest.envelope(UUID.randomUUID(), "StockReserved", id, 1, "");
        given().contentType(ContentType.JSON).header("Authorization", SECRET).body(body).post("/internal/order-events")
                .then().statusCode(200).body("outcome", equalTo("APPLIED"));
        ApiDatabase.update("UPDATE inbox SET received_at = now() - interval '8 days' WHERE aggregate_id = ?", id);
        publisher.cleanUp(10).await().atMost(Duration.ofMinutes(1));
        assertThat(ApiDatabase.count("SELECT count(*) FROM inbox WHERE aggregate_id = ?", id)).isZero();
        given().contentType(ContentType.JSON).header("Authorization", SECRET).body(body).post("/internal/order-events")
                .then().statusCode(200).body("outcome", equalTo("DUPLICATE"));
        given().get("/orders/" + id + "?read=primary").then().body("version", equalTo(2)).body("status", equalTo("CONFIRMED"));
    }
}
