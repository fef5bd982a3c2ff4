package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

import dev.ordersaga.check.SessionClient;
import dev.ordersaga.check.SessionHistory;
import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.TcpProxy;

/**
 * Session guarantees against the real thing: PostgreSQL as primary, the order read model in the
 * packaged quorum gateway over three real Redis nodes as replica, kept 300 to 600 ms behind by
 * REPLICA_LAG_MS and REPLICA_LAG_JITTER_MS.
 */
class SessionGuaranteesIT {

    private static OrderStack stack;
    private static Flow flow;

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("sessions")
                .apiEnv("REPLICA_LAG_MS", "300")
                .apiEnv("REPLICA_LAG_JITTER_MS", "300")
                .gatewayEnv("GATEWAY_HINTS_REPLAY_EVERY", "1h")
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
        stack.apiToGateway.heal();
        stack.redis.forEach(RedisNode::start);
    }

    private static SessionClient session(SessionHistory history, int id, String customer) {
        return new SessionClient(id, stack.api.url(), history, customer, stack.customer(customer));
    }

    @Test
    void replicaShowsTheStaleOrderWhileAutoAlwaysReadsYourWrites() {
        SessionHistory history = new SessionHistory();
        int anomalies = 0;
        for (int trial = 0; trial < 25; trial++) {
            SessionClient s = session(history, trial, "ryw-" + trial);
            var created = s.create("apple", 1);
            assertThat(created.status()).isEqualTo(202);
            assertThat(s.token()).hasSizeLessThan(1024);
            String id = created.order().getString("id");
            var replica = s.read(id, "replica");
            if (replica.status() == 404 || replica.version() < created.version()) {
                anomalies++;
            }
            var auto = s.read(id, "auto");
            assertThat(auto.status()).as("trial %d: %s", trial, auto.body()).isEqualTo(200);
            assertThat(auto.version()).isGreaterThanOrEqualTo(created.version());
        }
        assertThat(anomalies).as("stale replica reads right after a write").isGreaterThan(0);
        var verdict = history.check();
        assertThat(verdict.violations()).isEmpty();
        System.out.printf("read-your-writes: %d of 25 replica reads were stale; auto never%n", anomalies);
    }

    /**
     * One identity, one key: customers whose ids differ only by characters a URL path reads as syntax
     * (a matrix parameter's {@code ;}, {@code /}, {@code %}, {@code ?}, {@code #}, a space, non-ASCII)
     * each get their own list in the replica, holding only their own order.
     */
    @Test
    void customersWhoseIdsDifferByPathSyntaxHaveTheirOwnReplicaLists() {
        SessionHistory history = new SessionHistory();
        List<String> customers = List.of("alice", "alice;x", "alice;x=1", "alice/x", "alice%3Bx", "alice?x", "alice#x",
                "alice x", "alicé", "alice..");
        List<SessionClient> sessions = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < customers.size(); i++) {
            SessionClient s = session(history, 100 + i, customers.get(i));
            var created = s.create("apple", 1);
            assertThat(created.status()).as("%s: %s", customers.get(i), created.body()).isEqualTo(202);
            sessions.add(s);
            orders.add(created.order().getString("id"));
        }
        for (int i = 0; i < customers.size(); i++) {
            SessionClient s = sessions.get(i);
            String own = orders.get(i);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                var listed = s.list("replica", 100);
                assertThat(listed.status()).as(listed.body()).isEqualTo(200);
                assertThat(listed.list().stream().map(o -> ((JsonObject) o).getString("id")).toList())
                        .as("replica list of %s", s.customer()).containsExactly(own);
            });
        }
        // another customer's order, read from the replica, is a 404 exactly like an id that names none
        var theirs = sessions.get(1).read(orders.get(0), "replica");
        var none = sessions.get(1).read(UUID.randomUUID().toString(), "replica");
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(new JsonObject(theirs.body()).fieldNames()).isEqualTo(new JsonObject(none.body()).fieldNames());
        assertThat(new JsonObject(theirs.body()).getString("servedBy")).isEqualTo(new JsonObject(none.body()).getString("servedBy"));
    }

    @Test
    void autoIsServedByTheReplicaOnceItCaughtUpAndACancelIsNeverUnseen() {
        SessionHistory history = new SessionHistory();
        SessionClient s = session(history, 1, "catch-up");
        String id = s.create("apple", 1).order().getString("id");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> "replica".equals(s.read(id, "auto").servedBy()));
        var cancelled = s.cancel(id);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.order().getString("status")).isEqualTo("CANCELLED");
        var stale = s.read(id, "replica");
        assertThat(stale.order().getString("status")).as("replica right after the cancel").isNotEqualTo("CANCELLED");
        var auto = s.read(id, "auto");
        assertThat(auto.order().getString("status")).isEqualTo("CANCELLED");
        assertThat(auto.servedBy()).isEqualTo("primary");
        assertThat(auto.fallback()).isEqualTo("replica-behind-session");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            var r = s.read(id, "auto");
            assertThat(r.servedBy()).isEqualTo("replica");
            assertThat(r.order().getString("status")).isEqualTo("CANCELLED");
        });
        assertThat(history.check().violations()).isEmpty();
    }

    @Test
    void theListOfACustomersOrdersHoldsTheSessionsNewOrderUnderAuto() {
        SessionHistory history = new SessionHistory();
        int missingFromReplica = 0;
        for (int trial = 0; trial < 10; trial++) {
            String customer = "list-" + trial;
            SessionClient s = session(history, trial, customer);
            s.create("apple", 1);
            String second = s.create("apple", 2).order().getString("id");
            var replica = s.list("replica", 100);
            if (replica.list().stream().noneMatch(o -> ((JsonObject) o).getString("id").equals(second))) {
                missingFromReplica++;
            }
            var auto = s.list("auto", 100);
            assertThat(auto.status()).isEqualTo(200);
            assertThat(auto.list().stream().map(o -> ((JsonObject) o).getString("id"))).contains(second).hasSize(2);
        }
        assertThat(missingFromReplica).isGreaterThan(0);
        assertThat(history.check().violations()).isEmpty();
    }

    @Test
    void monotonicReadsHoldWhileOneRedisNodeHoldsOldData() {
        SessionHistory history = new SessionHistory();
        SessionClient s = session(history, 1, "old-node");
        String id = s.create("apple", 1).order().getString("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> "replica".equals(s.read(id, "auto").servedBy()));
        // node 0 misses the next change (its hint is not replayed in this stack), node 1 then goes away
        stack.redis.get(0).stop();
        long cancelled = s.cancel(id).version();
        await().atMost(Duration.ofSeconds(10)).until(() -> s.read(id, "replica").version() >= cancelled);
        stack.redis.get(0).start();
        stack.redis.get(1).stop();
        SessionClient other = session(history, 2, "old-node");
        long seen = other.read(id, "primary").version();
        assertThat(seen).isEqualTo(cancelled);
        for (int i = 0; i < 40; i++) {
            var r = other.read(id, "auto");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.version()).as("auto read %d served by %s", i, r.servedBy()).isGreaterThanOrEqualTo(seen);
        }
        assertThat(history.check().violations()).isEmpty();
    }

    @Test
    void whenTheGatewayIsCutAutoFallsBackToThePrimaryAndSaysSo() {
        SessionHistory history = new SessionHistory();
        SessionClient s = session(history, 1, "cut-gateway");
        stack.apiToGateway.mode(TcpProxy.Mode.BLACKHOLE);
        var created = s.create("apple", 1);
        for (int i = 0; i < 5; i++) {
            var r = s.read(created.order().getString("id"), "auto");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.servedBy()).isEqualTo("primary");
            assertThat(r.fallback()).isEqualTo("replica-unavailable");
        }
        var replica = s.read(created.order().getString("id"), "replica");
        assertThat(replica.status()).isEqualTo(503);
        stack.apiToGateway.heal();
        // the read breaker closes again after its delay; then auto is served by the replica once more
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> "replica".equals(s.read(created.order().getString("id"), "auto").servedBy()));
        assertThat(history.check().violations()).isEmpty();
    }

    @Test
    void noSessionGuaranteeIsBrokenInAConcurrentHistoryWithRandomLag() throws Exception {
        SessionHistory history = new SessionHistory();
        int sessions = 4;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        List<Future<SessionClient>> done = new ArrayList<>();
        List<List<String>> orders = new ArrayList<>();
        for (int n = 0; n < sessions; n++) {
            int sessionId = 100 + n;
            List<String> mine = new ArrayList<>();
            orders.add(mine);
            done.add(pool.submit(() -> {
                Random random = new Random(sessionId);
                // Two customers with two sessions each (two devices): their lists change under each other.
                SessionClient s = session(history, sessionId, sessionId % 2 == 0 ? "shared-a" : "shared-b");
                for (int op = 0; op < 80; op++) {
                    int dice = random.nextInt(100);
                    if (dice < 15 || mine.isEmpty()) {
                        var r = s.create("apple", 1);
                        if (r.status() == 202) {
                            mine.add(r.order().getString("id"));
                        }
                    } else if (dice < 22) {
                        String id = mine.get(random.nextInt(mine.size()));
                        if (random.nextBoolean()) {
                            s.pay(id);
                        } else {
                            s.cancel(id);
                        }
                    } else if (dice < 70) {
                        s.read(mine.get(random.nextInt(mine.size())), random.nextInt(4) == 0 ? "replica" : "auto");
                    } else {
                        s.list(random.nextInt(4) == 0 ? "replica" : "auto", 100);
                    }
                }
                return s;
            }));
        }
        List<SessionClient> clients = new ArrayList<>();
        for (Future<SessionClient> f : done) {
            clients.add(f.get());
        }
        // Once the writes stop the replica catches up, and auto must then be served by it (recorded and checked too).
        for (int n = 0; n < sessions; n++) {
            SessionClient s = clients.get(n);
            String id = orders.get(n).get(orders.get(n).size() - 1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "replica".equals(s.read(id, "auto").servedBy()));
        }
        pool.shutdown();
        SessionHistory.Verdict verdict = history.check();
        System.out.printf("session history: %d ops, %d auto reads (%d from the replica), %d replica reads (%d stale)%n",
                verdict.operations(), verdict.autoReads(), verdict.autoFromReplica(), verdict.replicaReads(),
                verdict.staleReplicaReads());
        assertThat(verdict.violations()).as("violations").isEmpty();
        assertThat(verdict.staleReplicaReads()).as("stale reads under read=replica").isGreaterThan(0);
        assertThat(verdict.autoFromReplica()).as("auto reads the replica when it can").isGreaterThan(0);
    }
}
