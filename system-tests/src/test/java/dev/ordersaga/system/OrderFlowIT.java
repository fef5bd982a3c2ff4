package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.TcpProxy.Mode;

/**
 * The saga across real processes: api and worker as packaged JVMs, each with its own PostgreSQL
 * database, talking over real HTTP through a proxy per direction that the tests cut and heal.
 */
class OrderFlowIT {

    private static final Duration HEAL = Duration.ofSeconds(30);

    private static OrderStack stack;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("order-flow").build().start();
        flow = new Flow(stack);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void heal() {
        stack.apiToWorker.heal();
        stack.workerToApi.heal();
        if (!stack.worker.isRunning()) {
            stack.worker.start();
        }
    }

    private static String sku() {
        return "sku-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void orderIsConfirmedAndStockReservedOnce() {
        String sku = sku();
        flow.setStock(sku, 10);
        String id = flow.order("c-happy", sku, 3);
        flow.awaitStatus(List.of(id), "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 10, 3);
        assertThat(flow.get(id).path("version").toString()).isEqualTo("2");
    }

    /**
     * A client's W3C traceparent is kept by every message the order causes: the api's ReserveStock and
     * projections, the worker's answer (written while it handled the api's delivery), and the api's
     * projection of the confirmation (written while it handled the worker's).
     */
    @Test
    void oneTraceRunsFromTheOrderThroughTheWorkerAndBackToTheProjection() {
        String sku = sku();
        flow.setStock(sku, 10);
        String traceId = UUID.randomUUID().toString().replace("-", "");
        String id = flow.order(stack.api.url(), "c-trace", sku, 1, Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
        flow.awaitStatus(List.of(id), "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);

        String ofThisOrder = "SELECT message_type, traceparent FROM outbox WHERE aggregate_id = ? OR payload LIKE ?";
        List<Map<String, Object>> api = stack.postgres.query("orders", ofThisOrder, id, "%" + id + "%");
        List<Map<String, Object>> worker = stack.postgres.query("stock", ofThisOrder, id, "%" + id + "%");
        assertThat(api).extracting(m -> m.get("message_type")).contains("ReserveStock", "OrderChanged");
        assertThat(api.stream().filter(m -> "OrderChanged".equals(m.get("message_type")))).as("created and confirmed").hasSize(2);
        assertThat(worker).extracting(m -> m.get("message_type")).containsExactly("StockReserved");
        assertThat(Stream.concat(api.stream(), worker.stream()))
                .allSatisfy(m -> assertThat((String) m.get("traceparent")).as("%s", m).startsWith("00-" + traceId + "-"));
    }

    @Test
    void swaggerUiAndOpenApiAreServedPublicByApiAndWorkerAndBehindTheSecretByTheGateway() {
        for (String url : List.of(stack.api.url(), stack.worker.url())) {
            given().baseUri(url).get("/q/swagger-ui/").then().statusCode(200).contentType(containsString("text/html"));
            given().baseUri(url).get("/q/openapi").then().statusCode(200);
        }
        given().baseUri(stack.gateway.url()).get("/q/swagger-ui/").then().statusCode(401);
        given().baseUri(stack.gateway.url()).header("Authorization", stack.bearer()).get("/q/swagger-ui/").then()
                .statusCode(200).contentType(containsString("text/html"));
    }

    @Test
    void payThenCancelIsRefusedAndCancelOfConfirmedReturnsTheStock() {
        String sku = sku();
        flow.setStock(sku, 10);
        String paid = flow.order("c-pay", sku, 2);
        String cancelled = flow.order("c-pay", sku, 5);
        flow.awaitStatus(List.of(paid, cancelled), "CONFIRMED", HEAL);

        flow.command(paid, "pay").then().statusCode(200);
        flow.command(paid, "cancel").then().statusCode(409);
        flow.command(cancelled, "cancel").then().statusCode(200);

        await().atMost(HEAL).untilAsserted(() -> flow.assertConserved(sku, 10, 2));
        flow.awaitOutboxesDrained(HEAL);
        assertThat(flow.status(paid)).isEqualTo("PAID");
        assertThat(flow.status(cancelled)).isEqualTo("CANCELLED");
    }

    @Test
    void insufficientStockRejectsTheOrderWithAReasonAndReservesNothing() {
        String sku = sku();
        flow.setStock(sku, 1);
        String id = flow.order("c-short", sku, 2);
        flow.awaitStatus(List.of(id), "REJECTED", HEAL);
        assertThat((String) flow.get(id).path("reason")).contains("insufficient stock");
        flow.assertConserved(sku, 1, 0);
    }

    @Test
    void workerDownOrdersAreAcceptedAndAllConfirmedOnceItIsBack() {
        String sku = sku();
        flow.setStock(sku, 100);
        stack.worker.stop();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(flow.order("c-down", sku, 2));
        }
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("status")).isEqualTo("PENDING"));
        await().atMost(HEAL).untilAsserted(() -> assertThat(flow.ordersDb("SELECT count(*) FROM outbox WHERE status = "
                + "'pending' AND last_error IS NOT NULL AND aggregate_id = ANY(?)", (Object) ids.toArray(String[]::new)))
                .isPositive());

        stack.worker.start();
        flow.awaitStatus(ids, "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 100, 40);
    }

    @Test
    void apiToWorkerCutOrdersStayPendingThenAllConfirmAfterHealing() {
        String sku = sku();
        flow.setStock(sku, 100);
        stack.apiToWorker.mode(Mode.BLACKHOLE);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(flow.order("c-cut-a", sku, 1));
        }
        // every ReserveStock was tried and failed at least once while the path is cut
        await().atMost(HEAL).untilAsserted(() -> assertThat(flow.ordersDb("SELECT count(*) FROM outbox WHERE destination = "
                + "'worker' AND last_error IS NOT NULL AND aggregate_id = ANY(?)", (Object) ids.toArray(String[]::new)))
                .isEqualTo(ids.size()));
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("status")).isEqualTo("PENDING"));
        assertThat(flow.stock(sku)[1]).isZero();

        stack.apiToWorker.heal();
        flow.awaitStatus(ids, "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 100, 10);
    }

    @Test
    void workerToApiCutReservationsHappenAndResultsArriveAfterHealing() {
        String sku = sku();
        flow.setStock(sku, 100);
        stack.workerToApi.mode(Mode.BLACKHOLE);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(flow.order("c-cut-b", sku, 1));
        }
        // The worker did its part; the api has not heard of it.
        await().atMost(HEAL).untilAsserted(() -> assertThat(flow.stock(sku)[1]).isEqualTo(10));
        assertThat(flow.orderRows(ids)).allSatisfy(r -> assertThat(r.get("status")).isEqualTo("PENDING"));
        assertThat(flow.stockDb("SELECT count(*) FROM outbox WHERE status <> 'sent'")).isPositive();

        stack.workerToApi.heal();
        flow.awaitStatus(ids, "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 100, 10);
    }

    @Test
    void lateReservationForCancelledOrderIsReleased() {
        String sku = sku();
        flow.setStock(sku, 10);
        stack.workerToApi.mode(Mode.REFUSE);
        String id = flow.order("c-late", sku, 4);
        await().atMost(HEAL).untilAsserted(() -> assertThat(flow.stock(sku)[1]).isEqualTo(4));
        flow.command(id, "cancel").then().statusCode(200);

        stack.workerToApi.heal();
        await().atMost(HEAL).untilAsserted(() -> flow.assertConserved(sku, 10, 0));
        flow.awaitOutboxesDrained(HEAL);
        assertThat(flow.status(id)).isEqualTo("CANCELLED");
        assertThat(flow.stockDb("SELECT count(*) FROM reservations WHERE order_id = ? AND status = 'RELEASED'", id))
                .isEqualTo(1);
    }

    @Test
    void everyMessageDeliveredTwiceChangesNothingTheSecondTime() {
        String sku = sku();
        flow.setStock(sku, 50);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(flow.order("c-twice", sku, 2));
        }
        flow.awaitStatus(ids, "CONFIRMED", HEAL);
        String cancelled = ids.get(0);
        flow.command(cancelled, "cancel").then().statusCode(200);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 50, 8);
        var versionsBefore = flow.orderRows(ids);
        long duplicatesBefore = flow.ordersDb("SELECT count(*) FROM inbox");

        // Every message of both outboxes goes out a second time, through the real publishers.
        long resent = stack.postgres.update("orders", "UPDATE outbox SET status = 'pending', next_attempt_at = now() WHERE status = 'sent'")
                + stack.postgres.update("stock", "UPDATE outbox SET status = 'pending', next_attempt_at = now() WHERE status = 'sent'");
        assertThat(resent).isGreaterThanOrEqualTo(ids.size() * 2L);
        flow.awaitOutboxesDrained(HEAL);

        flow.assertConserved(sku, 50, 8);
        assertThat(flow.orderRows(ids)).containsExactlyInAnyOrderElementsOf(versionsBefore);
        assertThat(flow.ordersDb("SELECT count(*) FROM inbox")).isEqualTo(duplicatesBefore);
        String metrics = given().baseUri(stack.api.managementUrl()).get("/q/metrics").asString();
        assertThat(metrics).containsPattern("inbox_duplicates_total\\{[^}]*source=\"worker\"[^}]*\\} [1-9]");
        // the guarded transport's SmallRye metrics, named by destination
        assertThat(metrics).containsPattern("ft_invocations_total\\{[^}]*method=\"delivery/worker\"[^}]*result=\"valueReturned\"[^}]*\\} [1-9]");
        assertThat(metrics).contains("ft_circuitbreaker_state_current{").contains("method=\"delivery/replica\"");
    }

    @Test
    void poisonMessageIsDeadLetteredWithItsReasonAndDeliveredOnceFixedAndRequeued() {
        String sku = sku();
        flow.setStock(sku, 10);
        stack.apiToWorker.mode(Mode.REFUSE);
        String id = flow.order("c-poison", sku, 1);
        // A bug wrote a payload the worker can never accept (quantity 0). It is written while the row
        // is pending, not claimed, so no publisher still holds a copy of the good payload.
        await().atMost(HEAL).until(() -> stack.postgres.update("orders", "UPDATE outbox SET payload = "
                + "replace(payload, '\"quantity\":1', '\"quantity\":0') WHERE aggregate_id = ? AND status = 'pending'",
                id) == 1);
        stack.apiToWorker.heal();
        stack.postgres.update("orders", "UPDATE outbox SET next_attempt_at = now() WHERE aggregate_id = ? AND status = 'pending'", id);

        await().atMost(HEAL).untilAsserted(() -> assertThat(
                flow.ordersDb("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND status = 'dead'", id)).isEqualTo(1));
        var dead = given().baseUri(stack.api.url()).header("Authorization", stack.bearer())
                .queryParam("status", "dead").get("/admin/outbox");
        dead.then().statusCode(200);
        String messageId = dead.path("find { it.aggregateId == '" + id + "' }.id");
        assertThat((String) dead.path("find { it.aggregateId == '" + id + "' }.lastErrorKind")).isEqualTo("poison");
        // the worker's own reason, from its answer to the batch
        assertThat((String) dead.path("find { it.aggregateId == '" + id + "' }.lastError")).contains("quantity of at least 1");
        assertThat(flow.status(id)).isEqualTo("PENDING");

        stack.postgres.update("orders", "UPDATE outbox SET payload = replace(payload, '\"quantity\":0', '\"quantity\":1') "
                + "WHERE id = ?::uuid", messageId);
        given().baseUri(stack.api.url()).header("Authorization", stack.bearer())
                .post("/admin/outbox/" + messageId + "/requeue").then().statusCode(200);
        flow.awaitStatus(List.of(id), "CONFIRMED", HEAL);
        flow.awaitOutboxesDrained(HEAL);
        flow.assertConserved(sku, 10, 1);
    }

    /**
     * README's metric list is the registry's, both ways: every metric it lists is on a service's
     * /q/metrics from the start, and every metric of the project's own (outbox_, inbox_, replica_,
     * orders_, session_, gateway_) that a service registers is in the list.
     */
    @Test
    void readmesMetricListIsWhatTheServicesRegisterBothWays() throws Exception {
        String readme = Files.readString(ProjectRoot.find().resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Observability"), readme.indexOf("Traces (OpenTelemetry"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`((?:outbox|inbox|replica|orders|session|gateway)_[a-z_]+)(?:\\{[^`]*\\})?`").matcher(section);
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> registered = new TreeSet<>();
        for (var service : List.of(stack.api, stack.worker, stack.gateway)) {
            String metrics = given().baseUri(service.managementUrl()).get("/q/metrics").then().statusCode(200).extract().asString();
            for (String line : metrics.split("\n")) {
                Matcher name = Pattern.compile("^((?:outbox|inbox|replica|orders|session|gateway)_[a-z_]+)").matcher(line);
                if (!line.startsWith("#") && name.find()) {
                    registered.add(name.group(1).replaceAll("_(bucket|count|sum|max)$", ""));
                }
            }
        }
        assertThat(registered).as("registered at start-up but not in README's list").isSubsetOf(documented);
        assertThat(documented).as("in README's list but not registered at start-up").isSubsetOf(registered);
    }

    @Test
    void peerDownLeavesHealthUp() {
        stack.worker.stop();
        given().baseUri(stack.api.url()).get("/q/health/ready").then().statusCode(200);
        given().baseUri(stack.api.url()).get("/q/health/live").then().statusCode(200);
    }
}
