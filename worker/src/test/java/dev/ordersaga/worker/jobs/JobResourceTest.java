package dev.ordersaga.worker.jobs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.testsupport.PostgresResource;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = JobResourceTest.DB))
class JobResourceTest {

    static final String DB = "worker_test";
    private static final String SECRET = "Bearer test-internal-secret";

    private static void setStock(String sku, long available) {
        given().header("Authorization", SECRET).contentType(ContentType.JSON).body("{\"available\":" + available + "}")
                .put("/stock/" + sku).then().statusCode(200).body("available", equalTo((int) available));
    }

    private static Response stock(String sku) {
        return given().header("Authorization", SECRET).get("/stock/" + sku);
    }

    private static String reserve(UUID messageId, String orderId, long seq, String items) {
        return """
                {"messageId":"%s","type":"ReserveStock","aggregateId":"%s","seq":%d,"requestId":"req-1",
                 "payload":{"orderId":"%s","items":%s}}""".formatted(messageId, orderId, seq, orderId, items);
    }

    private static String release(UUID messageId, String orderId, long seq) {
        return """
                {"messageId":"%s","type":"ReleaseStock","aggregateId":"%s","seq":%d,"payload":{"orderId":"%s"}}"""
                .formatted(messageId, orderId, seq, orderId);
    }

    private static Response post(String path, String body) {
        return given().header("Authorization", SECRET).contentType(ContentType.JSON).body(body).post(path);
    }

    private static List<Map<String, Object>> results(String orderId) {
        return PostgresResource.server().query(DB,
                "SELECT message_type, payload, aggregate_seq, request_id FROM outbox WHERE aggregate_id = ? ORDER BY aggregate_seq",
                orderId);
    }

    private static long writes() {
        return PostgresResource.server().number(DB, "SELECT (SELECT count(*) FROM reservations) + "
                + "(SELECT count(*) FROM outbox) + (SELECT count(*) FROM inbox)");
    }

    /** One structured CloudEvent of a batch, as any CloudEvents producer writes it. */
    private static String event(UUID id, String type, String orderId, long seq, String data) {
        return """
                {"specversion":"1.0","id":"%s","source":"/ordersaga/api","type":"%s","subject":"%s","sequence":"%d",
                 "time":"2026-12-04T10:00:00Z","datacontenttype":"application/json","data":%s}"""
                .formatted(id, type, orderId, seq, data);
    }

    private static Response postBatch(String... events) {
        return given().header("Authorization", SECRET).contentType("application/cloudevents-batch+json")
                .body("[" + String.join(",", events) + "]").post("/jobs");
    }

    @Test
    void aBatchOfCloudEventsIsTakenInOneGoWithAnOutcomePerEventAndARefusedOneAlone() {
        String sku = "batch-" + UUID.randomUUID();
        setStock(sku, 10);
        String kept = UUID.randomUUID().toString();
        String released = UUID.randomUUID().toString();
        String bad = UUID.randomUUID().toString();
        UUID keep = UUID.randomUUID();
        UUID reserveThenRelease = UUID.randomUUID();
        UUID release = UUID.randomUUID();
        UUID poison = UUID.randomUUID();
        UUID wrongType = UUID.randomUUID();
        String[] batch = {
                event(keep, "ReserveStock", kept, 1, "{\"orderId\":\"%s\",\"items\":[{\"sku\":\"%s\",\"quantity\":2}]}".formatted(kept, sku)),
                // the release comes first in the batch: the order's messages still apply in sequence
                event(release, "ReleaseStock", released, 2, "{\"orderId\":\"%s\"}".formatted(released)),
                event(reserveThenRelease, "ReserveStock", released, 1,
                        "{\"orderId\":\"%s\",\"items\":[{\"sku\":\"%s\",\"quantity\":3}]}".formatted(released, sku)),
                event(poison, "ReserveStock", bad, 1, "{\"orderId\":\"%s\",\"items\":[{\"sku\":\"%s\",\"quantity\":0}]}".formatted(bad, sku)),
                event(wrongType, "StockReserved", bad, 1, "{\"orderId\":\"%s\"}".formatted(bad)) };

        Response answer = postBatch(batch);

        answer.then().statusCode(200);
        Map<String, String> outcomes = new java.util.HashMap<>();
        List<Map<String, Object>> results = answer.jsonPath().getList("results");
        results.forEach(r -> outcomes.put((String) r.get("id"), (String) r.get("outcome")));
        assertThat(outcomes).hasSize(5).containsEntry(keep.toString(), "applied")
                .containsEntry(reserveThenRelease.toString(), "applied").containsEntry(release.toString(), "applied")
                .containsEntry(poison.toString(), "poison").containsEntry(wrongType.toString(), "poison");
        assertThat(answer.jsonPath().getString("results.find { it.id == '" + poison + "' }.detail"))
                .contains("quantity of at least 1");
        stock(sku).then().body("available", equalTo(8)).body("reserved", equalTo(2));
        assertThat(results(released)).extracting(m -> m.get("message_type")).containsExactly("StockReserved", "StockReleased");
        assertThat(results(bad)).isEmpty();

        // delivered twice (the answer was lost): nothing moves again
        long before = writes();
        Response again = postBatch(batch);
        again.then().statusCode(200);
        assertThat(again.jsonPath().getList("results.outcome")).containsExactlyInAnyOrder("duplicate", "duplicate",
                "duplicate", "poison", "poison");
        assertThat(writes()).isEqualTo(before);
        stock(sku).then().body("available", equalTo(8)).body("reserved", equalTo(2));
    }

    @Test
    void aBodyThatIsNotABatchOfCloudEventsIsA400ProblemAndWritesNothing() {
        long before = writes();
        for (String body : List.of("[]", "{\"not\":\"a batch\"}", "[{\"specversion\":\"1.0\",\"id\":\"x\"}]")) {
            given().header("Authorization", SECRET).contentType("application/cloudevents-batch+json").body(body).post("/jobs")
                    .then().statusCode(400).contentType("application/problem+json");
        }
        given().contentType("application/cloudevents-batch+json").body("[]").post("/jobs").then().statusCode(401);
        assertThat(writes()).isEqualTo(before);
    }

    @Test
    void reservationMovesUnitsOnceAndReportsStockReservedEvenWhenDeliveredTwice() {
        String sku = "sku-" + UUID.randomUUID();
        setStock(sku, 10);
        String order = UUID.randomUUID().toString();
        String body = reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"" + sku + "\",\"quantity\":4}]");
        post("/jobs/reserve-stock", body).then().statusCode(200).body("outcome", equalTo("APPLIED"));
        post("/jobs/reserve-stock", body).then().statusCode(200).body("outcome", equalTo("DUPLICATE"));
        stock(sku).then().body("available", equalTo(6)).body("reserved", equalTo(4));
        assertThat(results(order)).extracting(m -> m.get("message_type")).containsExactly("StockReserved");
        assertThat(results(order).get(0).get("request_id")).isEqualTo("req-1");
    }

    @Test
    void reservationIsAllOrNone() {
        String plenty = "plenty-" + UUID.randomUUID();
        String scarce = "scarce-" + UUID.randomUUID();
        setStock(plenty, 100);
        setStock(scarce, 1);
        String order = UUID.randomUUID().toString();
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1,
                "[{\"sku\":\"" + plenty + "\",\"quantity\":5},{\"sku\":\"" + scarce + "\",\"quantity\":2}]"))
                .then().statusCode(200);
        stock(plenty).then().body("available", equalTo(100)).body("reserved", equalTo(0));
        stock(scarce).then().body("available", equalTo(1)).body("reserved", equalTo(0));
        var result = results(order);
        assertThat(result).extracting(m -> m.get("message_type")).containsExactly("StockRejected");
        assertThat((String) result.get(0).get("payload")).contains("insufficient stock for " + scarce);
    }

    @Test
    void unknownSkuIsRejectedWithAReason() {
        String order = UUID.randomUUID().toString();
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"nope-sku\",\"quantity\":1}]"))
                .then().statusCode(200);
        assertThat((String) results(order).get(0).get("payload")).contains("unknown sku nope-sku");
    }

    @Test
    void releaseGivesBackWhatWasReservedOnce() {
        String sku = "rel-" + UUID.randomUUID();
        setStock(sku, 10);
        String order = UUID.randomUUID().toString();
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"" + sku + "\",\"quantity\":3}]"))
                .then().statusCode(200);
        String releaseBody = release(UUID.randomUUID(), order, 2);
        post("/jobs/release-stock", releaseBody).then().statusCode(200).body("outcome", equalTo("APPLIED"));
        post("/jobs/release-stock", releaseBody).then().statusCode(200).body("outcome", equalTo("DUPLICATE"));
        stock(sku).then().body("available", equalTo(10)).body("reserved", equalTo(0));
        var result = results(order);
        assertThat(result).extracting(m -> m.get("message_type")).containsExactly("StockReserved", "StockReleased");
        assertThat((String) result.get(1).get("payload")).contains("\"released\":true");
    }

    @Test
    void releaseThatOvertakesItsReservationWaitsForIt() {
        String sku = "ooo-" + UUID.randomUUID();
        setStock(sku, 10);
        String order = UUID.randomUUID().toString();
        post("/jobs/release-stock", release(UUID.randomUUID(), order, 2)).then().statusCode(200)
                .body("outcome", equalTo("DEFERRED"));
        stock(sku).then().body("available", equalTo(10));
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"" + sku + "\",\"quantity\":3}]"))
                .then().statusCode(200).body("applied", equalTo(2));
        stock(sku).then().body("available", equalTo(10)).body("reserved", equalTo(0));
        assertThat(results(order)).extracting(m -> m.get("message_type")).containsExactly("StockReserved", "StockReleased");
    }

    @Test
    void releaseWithoutReservationReportsNothingReleased() {
        String order = UUID.randomUUID().toString();
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"nope-sku\",\"quantity\":1}]"));
        post("/jobs/release-stock", release(UUID.randomUUID(), order, 2)).then().statusCode(200);
        assertThat((String) results(order).get(1).get("payload")).contains("\"released\":false");
    }

    @Test
    void unauthenticatedJobsAndStockCallsAre401AndChangeNothing() {
        String sku = "auth-" + UUID.randomUUID();
        setStock(sku, 5);
        long before = writes();
        String body = reserve(UUID.randomUUID(), UUID.randomUUID().toString(), 1, "[{\"sku\":\"" + sku + "\",\"quantity\":1}]");
        given().contentType(ContentType.JSON).body(body).post("/jobs/reserve-stock").then().statusCode(401);
        given().header("Authorization", "Bearer forged").contentType(ContentType.JSON).body(body).post("/jobs/reserve-stock")
                .then().statusCode(401).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"available\":99}").put("/stock/" + sku).then().statusCode(401);
        given().get("/stock/" + sku).then().statusCode(401);
        assertThat(writes()).isEqualTo(before);
        stock(sku).then().body("available", equalTo(5));
    }

    @Test
    void malformedJobsAre400AndWriteNothing() {
        long before = writes();
        String order = UUID.randomUUID().toString();
        post("/jobs/reserve-stock", "{\"type\":\"ReserveStock\"}").then().statusCode(400).contentType("application/problem+json");
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[]")).then().statusCode(400);
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), order, 1, "[{\"sku\":\"a\",\"quantity\":0}]")).then().statusCode(400);
        post("/jobs/reserve-stock", release(UUID.randomUUID(), order, 1)).then().statusCode(400)
                .body("type", endsWith("/wrong-message-type"));
        post("/jobs/reserve-stock", "{not json").then().statusCode(400);
        assertThat(writes()).isEqualTo(before);
    }

    @Test
    void stockValidation() {
        given().header("Authorization", SECRET).contentType(ContentType.JSON).body("{\"available\":-1}").put("/stock/x")
                .then().statusCode(400).contentType("application/problem+json");
        given().header("Authorization", SECRET).contentType(ContentType.JSON).body("{}").put("/stock/x").then().statusCode(400);
        stock("never-set-" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void settingStockKeepsWhatIsReserved() {
        String sku = "keep-" + UUID.randomUUID();
        setStock(sku, 10);
        post("/jobs/reserve-stock", reserve(UUID.randomUUID(), UUID.randomUUID().toString(), 1,
                "[{\"sku\":\"" + sku + "\",\"quantity\":4}]")).then().statusCode(200);
        setStock(sku, 50);
        stock(sku).then().body("available", equalTo(50)).body("reserved", equalTo(4));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "{\"available\":1.9}", "{\"available\":\"5\"}",
            "{\"available\":true}", "{\"available\":5} {}", "{\"available\":5,\"available\":6}" })
    void stockIsSetOnlyFromAPlainInteger(String body) {
        String sku = "strict-" + UUID.randomUUID();
        given().header("Authorization", SECRET).contentType(ContentType.JSON).body(body).put("/stock/" + sku).then()
                .statusCode(400).contentType("application/problem+json");
        stock(sku).then().statusCode(404);
    }

    @Test
    void aNulInTheSkuIsA400BeforeAnyDatabaseCall() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.getOutputStream().write(("GET /stock/a%00b HTTP/1.1\r\nHost: x\r\nAuthorization: " + SECRET
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Assertions.assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json");
        }
    }
}
