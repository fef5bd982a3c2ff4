package dev.ordersaga.api.saga;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.testsupport.PostgresResource;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class OrderEventsResourceTest {

    @org.junit.jupiter.api.BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    private static final String SECRET = "Bearer test-internal-secret";

    private static String newOrder() {
        return given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"c-events\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(202).extract().path("id");
    }

    static String envelope(UUID messageId, String type, String orderId, long seq, String extra) {
        return """
                {"messageId":"%s","type":"%s","aggregateId":"%s","seq":%d,"requestId":"r-1",
                 "occurredAt":"2026-01-01T00:00:00Z","payload":{"orderId":"%s"%s}}"""
                .formatted(messageId, type, orderId, seq, orderId, extra);
    }

    private static Response post(String body, String authorization) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.post("/internal/order-events");
    }

    private static Response order(String id) {
        return given().get("/orders/" + id);
    }

    @Test
    void reservationConfirmsTheOrderOnceEvenWhenDeliveredTwice() {
        String id = newOrder();
        String body = envelope(UUID.randomUUID(), "StockReserved", id, 1, "");
        post(body, SECRET).then().statusCode(200).body("outcome", equalTo("APPLIED"));
        post(body, SECRET).then().statusCode(200).body("outcome", equalTo("DUPLICATE"));
        order(id).then().body("status", equalTo("CONFIRMED")).body("version", equalTo(2));
    }

    @Test
    void rejectionRejectsWithTheWorkersReason() {
        String id = newOrder();
        post(envelope(UUID.randomUUID(), "StockRejected", id, 1, ",\"reason\":\"insufficient stock for apple\""), SECRET)
                .then().statusCode(200);
        order(id).then().body("status", equalTo("REJECTED")).body("reason", equalTo("insufficient stock for apple"));
    }

    @Test
    void anEarlyMessageWaitsForItsPredecessorWithoutBlockingOtherOrders() {
        String id = newOrder();
        String other = newOrder();
        post(envelope(UUID.randomUUID(), "StockReleased", id, 2, ",\"released\":true"), SECRET)
                .then().statusCode(200).body("outcome", equalTo("DEFERRED"));
        post(envelope(UUID.randomUUID(), "StockReserved", other, 1, ""), SECRET)
                .then().statusCode(200).body("outcome", equalTo("APPLIED"));
        order(other).then().body("status", equalTo("CONFIRMED"));
        order(id).then().body("status", equalTo("PENDING"));
        post(envelope(UUID.randomUUID(), "StockReserved", id, 1, ""), SECRET)
                .then().statusCode(200).body("outcome", equalTo("APPLIED")).body("applied", equalTo(2));
        order(id).then().body("status", equalTo("CONFIRMED"));
        assertThat(ApiDatabase.count("SELECT last_seq FROM inbox_checkpoint WHERE aggregate_id = ?", id)).isEqualTo(2);
    }

    @Test
    void lateReservationForCancelledOrderIsReleased() {
        String id = newOrder();
        given().post("/orders/" + id + "/cancel").then().statusCode(200);
        post(envelope(UUID.randomUUID(), "StockReserved", id, 1, ""), SECRET).then().statusCode(200);
        order(id).then().body("status", equalTo("CANCELLED"));
        var outbox = ApiDatabase.rows("SELECT message_type, aggregate_seq FROM outbox WHERE aggregate_id = ? ORDER BY aggregate_seq", id);
        assertThat(outbox).extracting(m -> m.get("message_type")).containsExactly("ReserveStock", "ReleaseStock");
        assertThat(outbox).extracting(m -> m.get("aggregate_seq")).containsExactly(1L, 2L);
    }

    @Test
    void cancellingAConfirmedOrderSendsReleaseStockInTheSameTransaction() {
        String id = newOrder();
        post(envelope(UUID.randomUUID(), "StockReserved", id, 1, ""), SECRET).then().statusCode(200);
        given().post("/orders/" + id + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"));
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND message_type = 'ReleaseStock'", id))
                .isEqualTo(1);
    }

    @Test
    void unsignedOrForgedCallbacksAre401AndChangeNothing() {
        String id = newOrder();
        String body = envelope(UUID.randomUUID(), "StockReserved", id, 1, "");
        long before = ApiDatabase.writes();
        post(body, null).then().statusCode(401).contentType("application/problem+json");
        post(body, "Bearer wrong-secret").then().statusCode(401);
        post(body, "test-internal-secret").then().statusCode(401);
        post(body, SECRET + "x").then().statusCode(401);
        assertThat(ApiDatabase.writes()).isEqualTo(before);
        order(id).then().body("status", equalTo("PENDING"));
    }

    @Test
    void callbackForAnUnknownOrderIs404AndLeavesNoInboxRow() {
        String unknown = UUID.randomUUID().toString();
        UUID messageId = UUID.randomUUID();
        post(envelope(messageId, "StockReserved", unknown, 1, ""), SECRET).then().statusCode(404);
        assertThat(ApiDatabase.count("SELECT count(*) FROM inbox WHERE message_id = ?", messageId)).isZero();
    }

    @Test
    void malformedMessagesAre400() {
        String id = newOrder();
        post("{\"type\":\"StockReserved\"}", SECRET).then().statusCode(400).contentType("application/problem+json");
        post(envelope(UUID.randomUUID(), "Bogus", id, 1, ""), SECRET).then().statusCode(400);
        post(envelope(UUID.randomUUID(), "StockReserved", id, 0, ""), SECRET).then().statusCode(400);
        String mismatched = envelope(UUID.randomUUID(), "StockReserved", id, 1, "").replace("\"payload\":{\"orderId\":\"" + id,
                "\"payload\":{\"orderId\":\"" + UUID.randomUUID());
        post(mismatched, SECRET).then().statusCode(400);
        order(id).then().body("status", equalTo("PENDING"));
    }
}
