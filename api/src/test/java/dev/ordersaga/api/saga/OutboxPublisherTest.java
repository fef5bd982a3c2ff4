package dev.ordersaga.api.saga;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * The api's publisher against a worker that is not there: messages wait with growing backoff, and
 * messages that can never be delivered are dead-lettered at once, listed and requeued by an operator.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class OutboxPublisherTest {

    @org.junit.jupiter.api.BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    private static final String SECRET = "Bearer test-internal-secret";

    private static UUID insertRow(String destination, String type, String payload) {
        UUID id = UUID.randomUUID();
        ApiDatabase.update("INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload) "
                + "VALUES (?, ?, ?, ?, 1, ?)", id, destination, type, "poison-" + id, payload);
        return id;
    }

    /** A row claimed by another publisher, its lease ending {@code leaseSeconds} from now (negative: ended). */
    private static UUID insertClaimedRow(String claimedBy, int leaseSeconds) {
        UUID id = UUID.randomUUID();
        ApiDatabase.update("INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, "
                + "status, claimed_by, attempts, next_attempt_at) VALUES (?, 'worker', 'TeleportStock', ?, 1, '{}', "
                + "'in_flight', ?, 1, now() + ? * interval '1 second')", id, "claimed-" + id, claimedBy, leaseSeconds);
        return id;
    }

    private static String status(UUID id) {
        return (String) ApiDatabase.rows("SELECT status FROM outbox WHERE id = ?", id).get(0).get("status");
    }

    @Test
    void unreachableWorkerMeansRetriesWithBackoffAndTheLastErrorKept() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"c-retry\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var row = ApiDatabase.rows("SELECT status, last_error_kind, next_attempt_at > created_at AS later "
                    + "FROM outbox WHERE aggregate_id = ?", id).get(0);
            assertThat(row.get("status")).isEqualTo("pending");
            assertThat(row.get("later")).isEqualTo(true);
            // connect while the breaker is closed; circuit-open (no attempt counted) once it opened.
            assertThat(row.get("last_error_kind")).isIn("connect", "timeout", "circuit-open");
            // listed as failed while it waits for its next attempt (it is in flight again now and then)
            given().header("Authorization", SECRET).queryParam("status", "failed").queryParam("limit", 1000).get("/admin/outbox")
                    .then().statusCode(200).body("aggregateId", hasItem(id));
        });
        given().get("/orders/" + id).then().body("status", equalTo("PENDING"));
    }

    @Test
    void unknownTypeIsDeadLetteredAtOnceWithItsReason() {
        UUID id = insertRow("worker", "TeleportStock", "{\"orderId\":\"x\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("dead"));
        var row = ApiDatabase.rows("SELECT attempts, last_error, last_error_kind FROM outbox WHERE id = ?", id).get(0);
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat(row.get("last_error_kind")).isEqualTo("poison");
        assertThat((String) row.get("last_error")).contains("unknown message type 'TeleportStock' for destination 'worker'");
    }

    @Test
    void unreadablePayloadAndUnknownDestinationAreDeadLettered() {
        UUID unreadable = insertRow("worker", "ReserveStock", "{not json");
        UUID nowhere = insertRow("mars", "ReserveStock", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(unreadable).equals("dead") && status(nowhere).equals("dead"));
        assertThat((String) ApiDatabase.rows("SELECT last_error FROM outbox WHERE id = ?", unreadable).get(0).get("last_error"))
                .startsWith("unreadable payload");
        assertThat((String) ApiDatabase.rows("SELECT last_error FROM outbox WHERE id = ?", nowhere).get(0).get("last_error"))
                .contains("no transport for destination 'mars'");
    }

    @Test
    void deadLettersAreListedAndRequeuedByAnOperatorOnly() {
        UUID id = insertRow("worker", "TeleportStock", "{}");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("dead"));
        given().get("/admin/outbox?status=dead").then().statusCode(401);
        given().header("Authorization", "Bearer nope").post("/admin/outbox/" + id + "/requeue").then().statusCode(401);
        assertThat(status(id)).isEqualTo("dead");

        given().header("Authorization", SECRET).get("/admin/outbox?status=dead")
                .then().statusCode(200).body("id", hasItem(id.toString()));
        given().header("Authorization", SECRET).get("/admin/outbox?status=bogus").then().statusCode(400);

        ApiDatabase.update("UPDATE outbox SET message_type = 'ReserveStock', payload = ? WHERE id = ?",
                "{\"orderId\":\"poison-" + id + "\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}", id);
        given().header("Authorization", SECRET).post("/admin/outbox/" + id + "/requeue")
                .then().statusCode(200).body("status", equalTo("pending")).body("attempts", equalTo(0));
        // Fixed, it now meets the real obstacle of this test: no worker, so it waits for retries.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var row = ApiDatabase.rows("SELECT status, last_error_kind FROM outbox WHERE id = ?", id).get(0);
            assertThat(row.get("status")).isEqualTo("pending");
            assertThat(row.get("last_error_kind")).isIn("connect", "timeout", "circuit-open");
        });
        given().header("Authorization", SECRET).post("/admin/outbox/" + id + "/requeue").then().statusCode(409);
        given().header("Authorization", SECRET).post("/admin/outbox/" + UUID.randomUUID() + "/requeue").then().statusCode(404);
    }

    @Test
    void claimsAreLeasesThatExpireWhenAPublisherDies() {
        // A publisher that claimed the row and died: its lease ran out a second ago.
        UUID id = insertClaimedRow("dead-publisher", -1);
        await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("dead"));
        assertThat(ApiDatabase.rows("SELECT attempts, claimed_by FROM outbox WHERE id = ?", id).get(0))
                .containsEntry("attempts", 2).containsEntry("claimed_by", null);
    }

    @Test
    void aLiveLeaseIsNotTakenOver() {
        UUID id = insertClaimedRow("busy-publisher", 3600);
        // a row inserted after it and due at once: once the poller has handled that one, it has looked at both
        UUID later = insertRow("worker", "TeleportStock", "{\"orderId\":\"x\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> status(later).equals("dead"));
        assertThat(ApiDatabase.rows("SELECT status, claimed_by FROM outbox WHERE id = ?", id).get(0))
                .containsEntry("status", "in_flight").containsEntry("claimed_by", "busy-publisher");
    }
}
