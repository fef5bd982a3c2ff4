package dev.ordersaga.api.orders;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.api.domain.OrderLimits;
import dev.ordersaga.testsupport.PostgresResource;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class OrderResourceTest {

    @org.junit.jupiter.api.BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    private static final String PROBLEM = "application/problem+json";

    static String body(String customer, String sku, int quantity) {
        return "{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}]}";
    }

    static Response create(String body, String key) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/orders");
    }

    @Test
    void createAcceptsAPendingOrderWithLocationAndWritesItsReserveStockMessage() {
        Response r = create(body("c-create", "apple", 2), null);
        r.then().statusCode(202)
                .header("Location", containsString("/orders/"))
                .header("X-Request-Id", notNullValue())
                .body("status", equalTo("PENDING"))
                .body("version", equalTo(1))
                .body("customerId", equalTo("c-create"))
                .body("items[0].sku", equalTo("apple"))
                .body("items[0].quantity", equalTo(2));
        String id = r.path("id");
        assertThat(r.header("Location")).endsWith("/orders/" + id);
        var outbox = ApiDatabase.rows("SELECT message_type, aggregate_seq, request_id, destination FROM outbox WHERE aggregate_id = ?", id);
        assertThat(outbox).hasSize(1);
        assertThat(outbox.get(0).get("message_type")).isEqualTo("ReserveStock");
        assertThat(outbox.get(0).get("aggregate_seq")).isEqualTo(1L);
        assertThat(outbox.get(0).get("destination")).isEqualTo("worker");
        assertThat(outbox.get(0).get("request_id")).isEqualTo(r.header("X-Request-Id"));
    }

    @Test
    void requestIdFromTheCallerIsKeptAndStoredWithTheOutboxRow() {
        Response r = given().contentType(ContentType.JSON).header("X-Request-Id", "trace-me-123")
                .body(body("c-trace", "apple", 1)).post("/orders");
        r.then().statusCode(202).header("X-Request-Id", "trace-me-123");
        assertThat(ApiDatabase.rows("SELECT request_id FROM outbox WHERE aggregate_id = ?", (Object) r.path("id")))
                .extracting(m -> m.get("request_id")).containsExactly("trace-me-123");
    }

    @Test
    void sameIdempotencyKeyCreatesOneOrder() {
        String key = "key-" + UUID.randomUUID();
        Response first = create(body("c-idem", "apple", 3), key);
        Response second = create(body("c-idem", "apple", 3), key);
        first.then().statusCode(202).header("Idempotent-Replayed", "false");
        second.then().statusCode(202).header("Idempotent-Replayed", "true")
                .body("id", equalTo(first.path("id")))
                .header("Location", equalTo(first.header("Location")));
        assertThat(ApiDatabase.count("SELECT count(*) FROM orders WHERE idempotency_key = ?", key)).isEqualTo(1);
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id = ?", (Object) first.path("id")))
                .isEqualTo(1);
    }

    @Test
    void concurrentRetriesWithOneIdempotencyKeyCreateOneOrder() throws Exception {
        String key = "race-" + UUID.randomUUID();
        var pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Response>> calls = IntStream.range(0, 16)
                    .<Callable<Response>>mapToObj(i -> () -> create(body("c-race", "apple", 1), key))
                    .toList();
            List<String> ids = new ArrayList<>();
            for (Future<Response> f : pool.invokeAll(calls)) {
                Response r = f.get();
                assertThat(r.statusCode()).isEqualTo(202);
                ids.add(r.path("id"));
            }
            assertThat(ids.stream().distinct().collect(Collectors.toList())).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ApiDatabase.count("SELECT count(*) FROM orders WHERE idempotency_key = ?", key)).isEqualTo(1);
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox o JOIN orders r ON r.id::text = o.aggregate_id "
                + "WHERE r.idempotency_key = ?", key)).isEqualTo(1);
    }

    @Test
    void differentBodyUnderTheSameIdempotencyKeyIsAConflict() {
        String key = "reuse-" + UUID.randomUUID();
        create(body("c-reuse", "apple", 1), key).then().statusCode(202);
        long before = ApiDatabase.writes();
        create(body("c-reuse", "apple", 2), key).then().statusCode(409)
                .contentType(PROBLEM)
                .body("type", endsWith("/idempotency-key-reused"));
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"customerId\":\"c1\",\"items\":[",
            "not json at all",
            "{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\",\"quantity\":\"two\"}]}",
            "{\"customerId\":\"c1\",\"items\":{\"sku\":\"apple\"}}",
    })
    void malformedBodyIsA400ProblemAndWritesNothing(String body) {
        long before = ApiDatabase.writes();
        given().contentType(ContentType.JSON).body(body).post("/orders")
                .then().statusCode(400).contentType(PROBLEM)
                .body("status", equalTo(400))
                .body("title", notNullValue())
                .body("detail", notNullValue());
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"customerId\":\"\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}",
            "{\"customerId\":\"c1\"}",
            "{\"customerId\":\"c1\",\"items\":[]}",
            "{\"customerId\":\"c1\",\"items\":[{\"quantity\":1}]}",
            "{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\"}]}",
            "{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\",\"quantity\":0}]}",
            "{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\",\"quantity\":-3}]}",
            "{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\",\"quantity\":10001}]}",
            "{\"customerId\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}",
            "{\"customerId\":\"c1\",\"items\":[null]}",
    })
    void invalidOrderIsA400ProblemNamingTheFieldAndWritesNothing(String body) {
        long before = ApiDatabase.writes();
        given().contentType(ContentType.JSON).body(body).post("/orders")
                .then().statusCode(400).contentType(PROBLEM)
                .body("type", endsWith("/validation"))
                .body("errors.size()", Matchers.greaterThan(0))
                .body("errors[0].field", notNullValue());
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @Test
    void emptyBodyIsA400() {
        given().contentType(ContentType.JSON).post("/orders").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void tooManyItemsIsA400() {
        String items = IntStream.range(0, OrderLimits.MAX_ITEMS + 1)
                .mapToObj(i -> "{\"sku\":\"s" + i + "\",\"quantity\":1}")
                .collect(Collectors.joining(","));
        long before = ApiDatabase.writes();
        given().contentType(ContentType.JSON).body("{\"customerId\":\"c1\",\"items\":[" + items + "]}").post("/orders")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", hasItem("items"));
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @Test
    void duplicateSkuLinesAreA400() {
        given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"c1\",\"items\":[{\"sku\":\"apple\",\"quantity\":1},{\"sku\":\"apple\",\"quantity\":2}]}")
                .post("/orders")
                .then().statusCode(400).contentType(PROBLEM).body("type", endsWith("/duplicate-sku"));
    }

    @Test
    void wrongContentTypeIsA415Problem() {
        given().contentType(ContentType.TEXT).body("hello").post("/orders")
                .then().statusCode(415).contentType(PROBLEM);
    }

    @Test
    void unknownOrderIsA404Problem() {
        given().get("/orders/" + UUID.randomUUID()).then().statusCode(404).contentType(PROBLEM)
                .body("type", endsWith("/not-found"));
        given().get("/orders/not-a-uuid").then().statusCode(404).contentType(PROBLEM);
        given().post("/orders/" + UUID.randomUUID() + "/pay").then().statusCode(404).contentType(PROBLEM);
        given().post("/orders/" + UUID.randomUUID() + "/cancel").then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void getReturnsTheOrderAndListFiltersByCustomer() {
        String customer = "c-list-" + UUID.randomUUID();
        String a = create(body(customer, "apple", 1), null).path("id");
        String b = create(body(customer, "pear", 2), null).path("id");
        create(body("someone-else", "apple", 1), null);
        given().get("/orders/" + a).then().statusCode(200).body("id", equalTo(a)).body("status", equalTo("PENDING"));
        given().queryParam("customerId", customer).get("/orders").then().statusCode(200)
                .body("$", hasSize(2))
                .body("id", Matchers.containsInAnyOrder(a, b));
    }

    @Test
    void aListWithoutCustomerIsTheCallersAndABadLimitIsA400() {
        given().get("/orders").then().statusCode(200);
        for (String limit : new String[] { "0", "501", "abc", "1.5", "-1" }) {
            given().queryParam("customerId", "c1").queryParam("limit", limit).get("/orders").then().statusCode(400)
                    .contentType(PROBLEM).body("type", endsWith("/invalid-limit"));
        }
    }

    @Test
    void payingAPendingOrderIsAnIllegalTransition() {
        String id = create(body("c-pay", "apple", 1), null).path("id");
        given().post("/orders/" + id + "/pay").then().statusCode(409).contentType(PROBLEM)
                .body("type", endsWith("/illegal-transition"))
                .body("status", equalTo(409));
        given().get("/orders/" + id).then().body("status", equalTo("PENDING")).body("version", equalTo(1));
    }

    @Test
    void cancellingAPendingOrderCancelsItOnceAndSendsNothing() {
        String id = create(body("c-cancel", "apple", 1), null).path("id");
        given().post("/orders/" + id + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED")).body("version", equalTo(2));
        given().post("/orders/" + id + "/cancel").then().statusCode(409);
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id = ?", id)).isEqualTo(1);
    }

    @Test
    void bodyLargerThanTheLimitIsRefused() {
        String huge = "{\"customerId\":\"" + "x".repeat(70_000) + "\",\"items\":[]}";
        given().contentType(ContentType.JSON).body(huge).post("/orders").then().statusCode(413);
    }
}
