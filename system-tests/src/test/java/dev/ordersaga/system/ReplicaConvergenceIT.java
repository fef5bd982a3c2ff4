package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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

    /**
     * A backlog is projected coalesced: while the gateway is cut off, one customer's orders pile up
     * their changes (created, then confirmed); once it answers, each order's record and the customer's
     * list are written about once per batch. The same backlog projected one change per call
     * ({@code REPLICA_BATCH_MAX=1}, the api restarted with it) takes at least twice the writes.
     */
    @Test
    void aBacklogIsProjectedCoalesced() {
        Cost coalesced = costToProjectABacklog("coalesced-");
        Cost oneByOne;
        restartApi("1");
        try {
            oneByOne = costToProjectABacklog("one-by-one-");
        } finally {
            restartApi("100");
        }
        System.out.printf("to project 12 orders' 24 changes: coalesced %d gateway writes in %d calls, "
                + "one change per call %d writes in %d calls%n", coalesced.writes(), coalesced.calls(), oneByOne.writes(),
                oneByOne.calls());
        assertThat(coalesced.writes() * 2).as("writes coalesced (x2) against one change per call").isLessThan(oneByOne.writes());
        assertThat(coalesced.calls() * 4).as("HTTP calls to the gateway coalesced (x4) against one change per call")
                .isLessThan(oneByOne.calls());
    }

    private static void restartApi(String batchMax) {
        stack.api.stop();
        stack.api.env("REPLICA_BATCH_MAX", batchMax).start();
    }

    /** Keys the gateway wrote and HTTP calls it answered on its key-value paths. */
    private record Cost(long writes, long calls) {
    }

    /** What projecting a customer's backlog of changes cost the gateway, once it answers. */
    private static Cost costToProjectABacklog(String prefix) {
        String customer = prefix + System.nanoTime();
        stack.apiToGateway.mode(TcpProxy.Mode.REFUSE);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(flow.order(customer, "apple", 1));
        }
        // each order's two changes (created, confirmed) are written with them, and wait
        flow.awaitStatus(ids, "CONFIRMED", Duration.ofSeconds(60));
        double writesBefore = gatewayMetric("gateway_writes_acknowledged_total", "");
        double callsBefore = gatewayMetric("http_server_requests_seconds_count", "uri=\"/kv-batch");
        stack.apiToGateway.heal();
        assertConverged(customer, ids);
        await().atMost(Duration.ofSeconds(60)).until(() -> flow.ordersDb("SELECT count(*) FROM outbox WHERE destination"
                + " = 'replica' AND aggregate_id = ? AND status <> 'sent'", customer) == 0L);
        // the convergence check's own reads are single-key GETs: only the projection's multi-key calls count
        double writes = gatewayMetric("gateway_writes_acknowledged_total", "") - writesBefore;
        double calls = gatewayMetric("http_server_requests_seconds_count", "uri=\"/kv-batch") - callsBefore;
        return new Cost(Math.round(writes), Math.round(calls));
    }

    /** The sum of a gateway metric's series whose line contains {@code label}. */
    private static double gatewayMetric(String name, String label) {
        String metrics = given().baseUri(stack.gateway.managementUrl()).get("/q/metrics").then().statusCode(200)
                .extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
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
