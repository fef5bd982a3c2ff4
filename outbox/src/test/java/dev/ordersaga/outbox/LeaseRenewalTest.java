package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.ordersaga.testsupport.PostgresResource;

/**
 * A backlog that takes longer than a lease to send: the messages waiting in the publisher's lane
 * (and those in flight) keep their claims, renewed every third of a lease, so no poll claims them
 * again and none is sent twice. With a one-second lease and a destination that holds its calls for
 * several leases, a publisher without renewal claims every waiting row again (attempts 2, 3, ...)
 * and sends it a second time once the destination answers.
 */
@QuarkusTest
@TestProfile(LeaseRenewalTest.ShortLease.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = OutboxDatabase.NAME))
class LeaseRenewalTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(1);

    public static class ShortLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("outbox.lease", LEASE.toMillis() + "ms", "test.transport.timeout-ms", "120000");
        }
    }

    @Inject
    UnitOfWork work;

    @Inject
    TestTransport transport;

    @AfterEach
    void answer() {
        transport.reset();
    }

    @Test
    void messagesWaitingLongerThanALeaseKeepTheirClaimAndAreSentOnce() {
        transport.reset();
        transport.mode(TestTransport.Mode.HOLD);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            NewMessage ping = new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, "leased-" + UUID.randomUUID(),
                    Map.of("n", i), null);
            ids.add(work.run(tx -> tx.send(ping)).await().atMost(WAIT).id());
        }
        // two calls held (OUTBOX_MAX_IN_FLIGHT=2), four messages waiting for a slot
        await().atMost(WAIT).until(() -> transport.held() == 2);
        // the destination holds its calls for three leases: without renewal every claim would have run out twice over
        String[] array = ids.stream().map(UUID::toString).toArray(String[]::new);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> OutboxDatabase.count(
                "SELECT count(*) FROM outbox WHERE id::text = ANY(?) AND now() > created_at + interval '3 seconds'",
                (Object) array) == ids.size());
        assertThat(OutboxDatabase.count("SELECT count(*) FROM outbox WHERE id::text = ANY(?) AND attempts > 1", (Object) array))
                .as("rows claimed again while they waited in the lane").isZero();
        assertThat(OutboxDatabase.count("SELECT count(*) FROM outbox WHERE id::text = ANY(?) AND status = 'in_flight'"
                + " AND next_attempt_at > now()", (Object) array)).as("rows whose claim still holds").isEqualTo(ids.size());
        transport.release();
        await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "sent".equals(OutboxDatabase.row(id).get("status"))));
        assertThat(transport.sent()).as("every message sent once").containsExactlyInAnyOrderElementsOf(ids);
    }
}
