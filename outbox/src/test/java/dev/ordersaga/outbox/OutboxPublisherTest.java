package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.testsupport.PostgresResource;

/**
 * The publisher and its guarded transport against a real PostgreSQL and a destination the test
 * controls: delivery right after the commit, nothing from a rolled-back unit of work, the in-flight
 * bound, the circuit breaker, and dead letters for what can never be delivered.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = OutboxDatabase.NAME))
class OutboxPublisherTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    UnitOfWork work;

    @Inject
    TestTransport transport;

    @Inject
    ReadModelTransport readModel;

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void answering() {
        transport.reset();
    }

    private static NewMessage ping(String aggregate) {
        return new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, aggregate, Map.of("n", 1), null);
    }

    private UUID send(NewMessage message) {
        return work.run(tx -> tx.send(message)).await().atMost(WAIT).id();
    }

    private static String status(UUID id) {
        return (String) OutboxDatabase.row(id).get("status");
    }

    @Test
    void aMessageOfAUnitOfWorkIsDeliveredRightAfterItsCommit() {
        UUID id = send(ping("first-" + UUID.randomUUID()));
        // written claimed by this publisher for the lease (30 s): only the dispatch after the commit sends it this soon
        await().atMost(Duration.ofSeconds(10)).until(() -> transport.delivered().contains(id) && "sent".equals(status(id)));
        assertThat(OutboxDatabase.row(id)).containsEntry("attempts", 1);
    }

    @Test
    void aMessageContinuesTheTraceOfTheRequestThatWroteIt() throws Exception {
        String traceId = hex(32);
        UUID id = UUID.fromString(post("/test/send/traced-" + UUID.randomUUID(), "00-" + traceId + "-" + hex(16) + "-01"));

        await().atMost(WAIT).until(() -> transport.delivered().contains(id));
        String written = (String) OutboxDatabase.row(id).get("traceparent");
        String sent = transport.traceparent(id);
        assertThat(TraceContext.traceId(written)).as("the row keeps the request's trace").isEqualTo(traceId);
        assertThat(TraceContext.traceId(sent)).as("the delivery goes on with it").isEqualTo(traceId);
        assertThat(sent).as("in a span of its own").isNotEqualTo(written);
    }

    @Test
    void aMessageWrittenOutsideAnySpanIsDeliveredInATraceOfItsOwn() {
        UUID id = send(ping("untraced-" + UUID.randomUUID()));

        await().atMost(WAIT).until(() -> transport.delivered().contains(id));
        assertThat(OutboxDatabase.row(id).get("traceparent")).isNull();
        assertThat(transport.traceparent(id)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
    }

    private static String hex(int digits) {
        StringBuilder out = new StringBuilder();
        while (out.length() < digits) {
            out.append(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
        }
        return out.substring(0, digits);
    }

    /** POSTs with a W3C traceparent and returns the body. */
    private static String post(String path, String traceparent) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + ConfigProvider.getConfig()
                .getValue("quarkus.http.test-port", Integer.class) + path).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setRequestProperty("traceparent", traceparent);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        try (var in = c.getInputStream()) {
            assertThat(c.getResponseCode()).isEqualTo(200);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    /**
     * A destination whose messages are retried until delivered (a read model) refuses some messages
     * with a 4xx: each refused one is dead-lettered after its one attempt, the others are delivered,
     * and the destination's breaker never opens (a refusal is the message's fault, not the
     * destination's), however many refusals come in a row.
     */
    @Test
    void aRefusedMessageParksAloneAndNeverOpensTheBreakerOfADestinationThatMustConverge() {
        List<UUID> refused = new ArrayList<>();
        List<UUID> taken = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 20; i++) {
            refused.add(send(readModel("refused-" + run + "-" + i)));
        }
        for (int i = 0; i < 20; i++) {
            taken.add(send(readModel("taken-" + run + "-" + i)));
        }
        await().atMost(WAIT).untilAsserted(() -> {
            refused.forEach(id -> assertThat(status(id)).as("refused %s", id).isEqualTo("dead"));
            taken.forEach(id -> assertThat(status(id)).as("taken %s", id).isEqualTo("sent"));
        });
        refused.forEach(id -> assertThat(OutboxDatabase.row(id)).containsEntry("attempts", 1));
        assertThat(readModel.delivered()).containsAll(taken);
        double opened = registry.getMeters().stream()
                .filter(m -> m.getId().getName().contains("circuitbreaker.opened")
                        && ("delivery/" + ReadModelTransport.DESTINATION).equals(m.getId().getTag("method")))
                .mapToDouble(m -> m.measure().iterator().next().getValue()).sum();
        assertThat(opened).as("times the read model's breaker opened").isZero();
    }

    private static NewMessage readModel(String aggregate) {
        return new NewMessage(ReadModelTransport.DESTINATION, ReadModelTransport.TYPE, aggregate, Map.of("n", 1), null);
    }

    @Test
    void aUnitOfWorkThatFailsWritesAndSendsNothing() {
        String aggregate = "rolled-back-" + UUID.randomUUID();
        assertThatThrownBy(() -> work.run(tx -> tx.send(ping(aggregate))
                .chain(() -> Uni.createFrom().failure(new IllegalStateException("the state change failed"))))
                .await().atMost(WAIT)).hasMessageContaining("the state change failed");
        UUID marker = send(ping("marker-" + UUID.randomUUID()));
        await().atMost(WAIT).until(() -> transport.delivered().contains(marker));
        assertThat(OutboxDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id = ?", aggregate)).isZero();
        assertThat(transport.delivered()).containsExactly(marker);
    }

    @Test
    void neverMoreCallsInFlightThanTheBoundAndTheRestWaitForASlot() {
        transport.mode(TestTransport.Mode.HOLD);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(send(ping("bounded-" + UUID.randomUUID())));
        }
        // all six are claimed and handed to the guarded transport; two calls are made (OUTBOX_MAX_IN_FLIGHT=2)
        await().atMost(WAIT).until(() -> transport.held() == 2);
        assertThat(transport.calls()).isEqualTo(2);
        transport.release();
        await().atMost(WAIT).until(() -> transport.delivered().containsAll(ids));
        assertThat(transport.mostInFlight()).isEqualTo(2);
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "sent".equals(status(id))));
    }

    @Test
    void aRefusingDestinationOpensTheBreakerAndGetsEverythingOnceItAnswers() {
        transport.mode(TestTransport.Mode.REFUSE);
        double connectBefore = failures("connect");
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(send(ping("refused-" + UUID.randomUUID())));
        }
        // connect failures first; then the breaker bounces calls, which are not counted as attempts
        // (a row's last error changes as it is tried again: the counters keep every failure)
        await().atMost(WAIT).until(() -> OutboxDatabase.count("SELECT count(*) FROM outbox WHERE last_error_kind = "
                + "'circuit-open' AND aggregate_id LIKE 'refused-%'") > 0);
        assertThat(failures("connect")).isGreaterThan(connectBefore);
        int callsWhileOpen = transport.calls();
        assertThat(callsWhileOpen).as("calls made; the breaker stopped the rest").isLessThan(12 * 3);
        transport.mode(TestTransport.Mode.ANSWER);
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "sent".equals(status(id))));
        assertThat(transport.delivered()).containsAll(ids).doesNotHaveDuplicates();
    }

    private double failures(String kind) {
        return registry.counter("outbox.delivery.failures", "destination", TestTransport.DESTINATION, "errorKind", kind).count();
    }

    @Test
    void aMessageOfAnUnknownTypeIsDeadLetteredWithoutACall() {
        UUID id = send(new NewMessage(TestTransport.DESTINATION, "Teleport", "poison-" + UUID.randomUUID(), Map.of(), null));
        await().atMost(WAIT).until(() -> "dead".equals(status(id)));
        assertThat(OutboxDatabase.row(id)).containsEntry("attempts", 1).containsEntry("last_error_kind", "poison");
        assertThat(transport.calls()).isZero();
    }
}
