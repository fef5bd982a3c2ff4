package dev.ordersaga.api.saga;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.outbox.Envelope;
import dev.ordersaga.outbox.transport.CloudEventsBatch;
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

    @Inject
    MeterRegistry registry;

    @Inject
    ObjectMapper mapper;

    /**
     * A batch applies its events in order of order id, and each event sends a replica change for the
     * order's customer: batches mixing the orders of two customers lock those customers' sequences in
     * opposite orders. Taken ahead in one order, they never deadlock (PostgreSQL would break each
     * deadlock after a second by failing a batch, which the inbox counts and runs again).
     */
    @Test
    void batchesTouchingTheSameCustomersInOppositeOrdersNeverDeadlock() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Counter conflicts = registry.counter("inbox.batch.conflicts", "source", "worker");
        double before = conflicts.count();
        List<String> all = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                a.add(newOrder("c-lock-a"));
                b.add(newOrder("c-lock-b"));
            }
            List<Callable<Integer>> batches = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                List<Envelope> batch = new ArrayList<>();
                for (String id : List.of(a.get(i), b.get(i), a.get(i + 8), b.get(i + 8))) {
                    batch.add(new Envelope(UUID.randomUUID(), "StockReserved", id, 1, "r-lock", Instant.now(),
                            mapper.createObjectNode().put("orderId", id), null));
                }
                byte[] body = new CloudEventsBatch(mapper).encode(batch, "/ordersaga/worker");
                batches.add(() -> http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/internal/order-events"))
                        .header("Content-Type", CloudEventsBatch.MEDIA_TYPE).header("Authorization", SECRET)
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            ExecutorService pool = Executors.newFixedThreadPool(batches.size());
            try {
                for (Future<Integer> answer : pool.invokeAll(batches)) {
                    assertThat(answer.get()).isEqualTo(200);
                }
            } finally {
                pool.shutdownNow();
            }
            all.addAll(a);
            all.addAll(b);
        }
        assertThat(ApiDatabase.count("SELECT count(*) FROM orders WHERE id::text = ANY(?) AND status = 'CONFIRMED'",
                (Object) all.toArray(String[]::new))).isEqualTo(all.size());
        assertThat(conflicts.count() - before).as("batches that lost a deadlock and ran again").isZero();
    }

    private static String newOrder(String customer) {
        return given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(202).extract().path("id");
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
