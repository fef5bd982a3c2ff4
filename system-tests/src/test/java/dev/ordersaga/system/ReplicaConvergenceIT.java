package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.restassured.response.Response;

import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.TcpProxy;

/**
 * The read model converges whatever happens to one projection message: the gateway unreachable
 * for longer than the retry limit, something answering 400 on its address for a while, or a
 * record deleted in the replica. No manual step: the replica ends holding every order, and
 * {@code /debug/versions} reports nothing behind.
 */
class ReplicaConvergenceIT {

    private static OrderStack stack;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("replica-convergence")
                .apiEnv("OUTBOX_MAX_ATTEMPTS", "2")
                .apiEnv("OUTBOX_BACKOFF_BASE", "200ms")
                .apiEnv("OUTBOX_BACKOFF_CAP", "400ms")
                .apiEnv("REPLICA_RECONCILE_EVERY", "1s")
                .apiEnv("REPLICA_CLIENT_BREAKER_DELAY_MS", "200")
                .apiEnv("REPLICA_CLIENT_RETRIES", "0")
                .build().start();
        flow = new Flow(stack);
        flow.setStock("apple", 1_000_000);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void heal() {
        stack.apiToGateway.retarget(stack.gateway.port());
        stack.apiToGateway.heal();
    }

    private static Response debug(String customer) {
        return given().baseUri(stack.api.url()).header("Authorization", stack.bearer()).queryParam("customerId", customer)
                .get("/debug/versions");
    }

    /** The orders {@code read=replica} lists for a customer. */
    private static List<String> replicaList(String customer) {
        Response r = given().baseUri(stack.api.url()).header("Authorization", stack.customer(customer))
                .queryParam("read", "replica").get("/orders");
        return r.statusCode() == 200 ? r.jsonPath().getList("id") : List.of();
    }

    /** Failed attempts recorded on the customer's unsent projection rows. */
    private static long attempts(String customer) {
        return flow.ordersDb("SELECT COALESCE(max(attempts), 0) FROM outbox WHERE destination = 'replica'"
                + " AND aggregate_id = ? AND status <> 'sent'", customer);
    }

    /** Converged as {@link #assertConverged}, where some of the customer's changes were dead-lettered on the way. */
    private static void assertConvergedWithDeadLetters(String customer, List<String> orders) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(replicaList(customer)).containsExactlyInAnyOrderElementsOf(orders);
            Response d = debug(customer);
            assertThat(d.<Integer>path("customer.replicaVersion")).isEqualTo(d.<Integer>path("customer.primaryVersion"));
        });
    }

    private static void assertConverged(String customer, List<String> orders) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(replicaList(customer)).containsExactlyInAnyOrderElementsOf(orders);
            Response d = debug(customer);
            assertThat(d.<Integer>path("behind")).isZero();
            assertThat(d.<Integer>path("customer.replicaVersion")).isEqualTo(d.<Integer>path("customer.primaryVersion"));
        });
        assertThat(flow.ordersDb("SELECT count(*) FROM outbox WHERE destination = 'replica' AND status = 'dead'"))
                .isZero();
    }

    @Test
    void aGatewayUnreachablePastTheRetryLimitLosesNoChange() {
        String customer = "conv-cut-" + System.nanoTime();
        stack.apiToGateway.mode(TcpProxy.Mode.REFUSE);
        String first = flow.order(customer, "apple", 1);
        // Past OUTBOX_MAX_ATTEMPTS (2): the old publisher dead-lettered the change here.
        await().atMost(Duration.ofSeconds(60)).until(() -> attempts(customer) > 2);
        stack.apiToGateway.heal();
        String second = flow.order(customer, "apple", 1);
        assertConverged(customer, List.of(first, second));
    }

    /**
     * A 400 is the message's own fault: each refused change is dead-lettered after its one attempt
     * (for its customer alone, never retried against the shared breaker), and the reconciler, which
     * takes customers with a dead-lettered change first, re-projects them: no change is lost.
     */
    @Test
    void somethingAnswering400OnTheGatewaysAddressParksTheChangeAndTheReconcilerLosesNone() throws IOException {
        String customer = "conv-400-" + System.nanoTime();
        HttpServer standIn = HttpServer.create(new InetSocketAddress("127.0.0.1", Ports.free()), 0);
        standIn.createContext("/", exchange -> {
            byte[] body = "{\"status\":400}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        standIn.start();
        try {
            stack.apiToGateway.retarget(standIn.getAddress().getPort());
            String first = flow.order(customer, "apple", 1);
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.ordersDb("SELECT count(*) FROM outbox"
                    + " WHERE destination = 'replica' AND aggregate_id = ? AND status = 'dead' AND attempts = 1", customer) > 0);
            stack.apiToGateway.retarget(stack.gateway.port());
            String second = flow.order(customer, "apple", 1);
            assertConvergedWithDeadLetters(customer, List.of(first, second));
        } finally {
            standIn.stop(0);
        }
    }

    @Test
    void aRecordDeletedInTheReplicaIsRebuiltWithoutAnOperator() {
        String customer = "conv-deleted-" + System.nanoTime();
        String first = flow.order(customer, "apple", 1);
        String second = flow.order(customer, "apple", 1);
        assertConverged(customer, List.of(first, second));
        for (String key : List.of("customer-orders:" + customer, "order:" + first)) {
            Response read = given().baseUri(stack.gateway.url()).header("Authorization", stack.bearer()).get("/kv/" + key);
            given().baseUri(stack.gateway.url()).header("Authorization", stack.bearer())
                    .header("X-Context", read.header("X-Context")).delete("/kv/" + key).then().statusCode(204);
        }
        assertThat(replicaList(customer)).isEmpty();
        assertConverged(customer, List.of(first, second));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(given().baseUri(stack.api.url())
                .header("Authorization", stack.customer(customer)).queryParam("read", "replica").get("/orders/" + first)
                .statusCode()).isEqualTo(200));
    }
}
