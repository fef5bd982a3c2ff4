package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.ordersaga.testsupport.PostgresResource;

/**
 * The publisher follows the destination's circuit breaker: when the breaker's delay is over it sends
 * a trial, and when the trial closes the breaker it sends the whole backlog. Here neither the poller
 * (every hour) nor the rows' backoff (an hour) would send anything within the test, so only the
 * breaker's events can deliver the messages after the destination answers again.
 */
@QuarkusTest
@TestProfile(BreakerTrialTest.NoPollNoBackoff.class)
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = OutboxDatabase.NAME))
class BreakerTrialTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 3;

    public static class NoPollNoBackoff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("outbox.poll-every", "1h", "outbox.backoff-base", "1h", "outbox.backoff-cap", "1h",
                    "outbox.max-attempts", String.valueOf(MAX_ATTEMPTS));
        }
    }

    @Inject
    UnitOfWork work;

    @Inject
    TestTransport transport;

    @Test
    void aDestinationThatAnswersAgainGetsItsBacklogFromTheBreakersTrialWithoutAPollOrBackoff() {
        transport.reset();
        transport.mode(TestTransport.Mode.REFUSE);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            NewMessage ping = new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, "trial-" + UUID.randomUUID(),
                    Map.of("n", i), null);
            ids.add(work.run(tx -> tx.send(ping)).await().atMost(WAIT).id());
        }
        // every first attempt failed; the breaker is open and each trial it lets through fails too
        await().atMost(WAIT).until(() -> OutboxDatabase.count("SELECT count(*) FROM outbox WHERE status = 'pending' "
                + "AND last_error_kind IS NOT NULL AND aggregate_id LIKE 'trial-%'") == ids.size());
        int callsBefore = transport.calls();
        await().atMost(WAIT).until(() -> transport.calls() > callsBefore);
        assertThat(transport.delivered()).isEmpty();

        transport.mode(TestTransport.Mode.ANSWER);
        await().atMost(WAIT).until(() -> transport.delivered().containsAll(ids));
        assertThat(transport.delivered()).doesNotHaveDuplicates();
        await().atMost(WAIT).until(() -> OutboxDatabase.count("SELECT count(*) FROM outbox WHERE status = 'sent' "
                + "AND aggregate_id LIKE 'trial-%'") == ids.size());
    }

    /**
     * A trial is one message, the one that has waited longest: the rest keep their backoff and their
     * attempts, so a destination that stays down for many more breaker delays than
     * {@code OUTBOX_MAX_ATTEMPTS} dead-letters nothing (a trial carrying the whole backlog would cost
     * every waiting message an attempt each breaker delay).
     */
    @Test
    void trialsWhileTheDestinationStaysDownCostTheBacklogNoAttempts() {
        transport.reset();
        transport.mode(TestTransport.Mode.REFUSE);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            NewMessage ping = new NewMessage(TestTransport.DESTINATION, TestTransport.TYPE, "down-" + UUID.randomUUID(),
                    Map.of("n", i), null);
            ids.add(work.run(tx -> tx.send(ping)).await().atMost(WAIT).id());
        }
        await().atMost(WAIT).until(() -> OutboxDatabase.count("SELECT count(*) FROM outbox WHERE status = 'pending' "
                + "AND last_error_kind IS NOT NULL AND aggregate_id LIKE 'down-%'") == ids.size());
        // more trials than a message may have attempts
        int callsBefore = transport.calls();
        await().atMost(Duration.ofSeconds(90)).until(() -> transport.calls() >= callsBefore + 2 * MAX_ATTEMPTS);
        assertThat(OutboxDatabase.count("SELECT count(*) FROM outbox WHERE status = 'dead' AND aggregate_id LIKE 'down-%'"))
                .as("messages dead-lettered while the destination was down").isZero();

        transport.mode(TestTransport.Mode.ANSWER);
        await().atMost(WAIT).until(() -> transport.delivered().containsAll(ids));
        await().atMost(WAIT).until(() -> OutboxDatabase.count("SELECT count(*) FROM outbox WHERE status = 'sent' "
                + "AND aggregate_id LIKE 'down-%'") == ids.size());
    }
}
