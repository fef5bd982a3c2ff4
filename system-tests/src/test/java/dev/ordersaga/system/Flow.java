package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.stack.OrderStack;

/** What a client and an operator do against a running {@link OrderStack}, plus the invariants they check. */
final class Flow {

    private final OrderStack stack;
    private final String readApi;
    /** The customer of each order this flow created: reads and commands are made as that customer. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();

    Flow(OrderStack stack) {
        this(stack, stack.api.url());
    }

    /** A flow that reads orders through {@code readApi} (another api instance of the stack). */
    Flow(OrderStack stack, String readApi) {
        this.stack = stack;
        this.readApi = readApi;
    }

    void setStock(String sku, long available) {
        given().baseUri(stack.worker.url()).header("Authorization", stack.bearer()).contentType(ContentType.JSON)
                .body("{\"available\":" + available + "}").put("/stock/" + sku).then().statusCode(200);
    }

    /** {available, reserved} of a sku, read from the worker. */
    long[] stock(String sku) {
        Response r = given().baseUri(stack.worker.url()).header("Authorization", stack.bearer()).get("/stock/" + sku);
        assertThat(r.statusCode()).isEqualTo(200);
        return new long[] { ((Number) r.path("available")).longValue(), ((Number) r.path("reserved")).longValue() };
    }

    String order(String apiUrl, String customer, String sku, int quantity) {
        return order(apiUrl, customer, sku, quantity, Map.of());
    }

    /** Posts an order with extra request headers (a traceparent, say). */
    String order(String apiUrl, String customer, String sku, int quantity, Map<String, String> headers) {
        Response r = given().baseUri(apiUrl).headers(headers).header("Authorization", stack.customer(customer)).contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}]}")
                .post("/orders");
        assertThat(r.statusCode()).as("POST /orders: %s", r.asString()).isEqualTo(202);
        assertThat((String) r.path("status")).isEqualTo("PENDING");
        owners.put(r.path("id"), customer);
        return r.path("id");
    }

    /** Records that {@code customer} created order {@code id} (posted by the test itself), so reads are made as it. */
    void created(String id, String customer) {
        owners.put(id, customer);
    }

    String order(String customer, String sku, int quantity) {
        return order(stack.api.url(), customer, sku, quantity);
    }

    Response get(String id) {
        return given().baseUri(readApi).header("Authorization", owner(id)).get("/orders/" + id);
    }

    /** {@code Authorization} of the customer that created order {@code id}. */
    String owner(String id) {
        return stack.customer(owners.getOrDefault(id, "unknown"));
    }

    String status(String id) {
        return get(id).path("status");
    }

    Response command(String id, String command) {
        return given().baseUri(stack.api.url()).header("Authorization", owner(id)).post("/orders/" + id + "/" + command);
    }

    void awaitStatus(Collection<String> ids, String status, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(status(id)).as("order %s", id).isEqualTo(status);
            }
        });
    }

    /** Orders rows by id straight from the api's database. */
    List<Map<String, Object>> orderRows(Collection<String> ids) {
        return stack.postgres.query("orders", "SELECT id::text, status, version FROM orders WHERE id::text = ANY(?)",
                (Object) ids.toArray(String[]::new));
    }

    long ordersDb(String sql, Object... args) {
        return stack.postgres.number("orders", sql, args);
    }

    long stockDb(String sql, Object... args) {
        return stack.postgres.number("stock", sql, args);
    }

    /** Every outbox row of both services eventually sent; none left claimed, pending or dead. */
    void awaitOutboxesDrained(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(ordersDb("SELECT count(*) FROM outbox WHERE status <> 'sent'")).as("api outbox backlog").isZero();
            assertThat(stockDb("SELECT count(*) FROM outbox WHERE status <> 'sent'")).as("worker outbox backlog").isZero();
        });
    }

    /**
     * Stock is conserved: available + reserved equals what was stocked, and reserved equals exactly
     * the units of the orders that hold a reservation (confirmed or paid) - no double reservation.
     */
    void assertConserved(String sku, long stocked, long unitsHeld) {
        long[] s = stock(sku);
        assertThat(s[0] + s[1]).as("available + reserved of %s", sku).isEqualTo(stocked);
        assertThat(s[1]).as("reserved units of %s", sku).isEqualTo(unitsHeld);
    }
}
