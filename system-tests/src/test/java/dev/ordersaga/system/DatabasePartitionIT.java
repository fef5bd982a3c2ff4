package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TcpProxy;

/**
 * A database partition that swallows packets, under load, then heals: connections to PostgreSQL
 * accepted and never answered (a {@link TcpProxy.Mode#BLACKHOLE}), which is what a NetworkPolicy that
 * drops packets does to a connection in flight. During the cut every request that needs the database
 * gets an answer (503 problem+json with {@code Retry-After}, never a connection closed without one),
 * readiness reports the database and answers; after the heal the service serves again by itself and
 * every order accepted before and after the cut completes, once, with stock conserved.
 *
 * <p>A 503 does not say that nothing happened: a commit already on its way when the packets began to
 * drop takes effect while its answer is lost. The clients do what README tells one to do with such an
 * answer: after the heal they repeat every refused order with the same {@code Idempotency-Key}, and get
 * either the order the lost commit created (a replay) or a new one. Every order in the database is then
 * one the clients know, and stock is conserved over exactly those.
 */
class DatabasePartitionIT {

    private static final Duration CUT = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    private static OrderStack stack;
    private static Flow flow;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        stack = OrderStack.builder("database-partition").everyPathProxied().build().start();
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
        stack.paths().values().forEach(TcpProxy::heal);
    }

    @Test
    void apiToPostgresBlackholeAnswers503AndHealsByItself() throws Exception {
        partitionUnderLoad("api-to-postgres", stack.api, true);
    }

    @Test
    void workerToPostgresBlackholeHealsByItselfAndEveryOrderCompletes() throws Exception {
        partitionUnderLoad("worker-to-postgres", stack.worker, false);
    }

    private void partitionUnderLoad(String path, ServiceProcess cutOff, boolean clientsSeeTheCut) throws Exception {
        String sku = "sku-" + UUID.randomUUID().toString().substring(0, 8);
        flow.setStock(sku, 1_000_000);
        Load load = new Load(sku);
        load.start(6);
        try {
            await().atMost(PATIENCE).until(() -> load.accepted.size() >= 10);
            TcpProxy proxy = stack.paths().get(path);
            long cutAt = System.nanoTime();
            proxy.mode(TcpProxy.Mode.BLACKHOLE);
            load.phase.set(Phase.CUT);
            // Readiness reports the database, and answers while it is out of reach; liveness stays up.
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                    .until(() -> health(cutOff, "/q/health/ready") == 503);
            assertThat(health(cutOff, "/q/health/live")).as("liveness during the cut").isEqualTo(200);
            if (clientsSeeTheCut) {
                await().atMost(PATIENCE).until(() -> load.refused.get() >= 10);
            }
            long left = CUT.toNanos() - (System.nanoTime() - cutAt);
            if (left > 0) {
                // The fault lasts CUT whatever else happened: the cut itself is the scenario, not a wait for a condition.
                TimeUnit.NANOSECONDS.sleep(left);
            }
            load.phase.set(Phase.HEALED);
            long healedAt = System.nanoTime();
            proxy.mode(TcpProxy.Mode.FORWARD);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                    .until(() -> health(cutOff, "/q/health/ready") == 200);
            System.out.printf("%s: ready again %d ms after the heal%n", path,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt));
            int acceptedAtHeal = load.accepted.size();
            await().atMost(PATIENCE).until(() -> load.acceptedAfterHeal.get() >= 10);
            assertThat(load.accepted.size()).isGreaterThan(acceptedAtHeal);
        } finally {
            load.stop();
        }
        int replayed = load.repeatRefused();
        System.out.printf("%s: %d accepted, %d answered 503 during the cut (%d of them had committed: their repeat was a replay),"
                + " slowest answer during the cut %d ms%n", path, load.accepted.size(), load.refused.get(), replayed,
                TimeUnit.NANOSECONDS.toMillis(load.slowestDuringCut.get()));
        assertThat(load.unanswered).as("requests whose connection closed without an answer").isEmpty();
        assertThat(load.unexpected).as("answers other than 202 and 503 problem+json with Retry-After").isEmpty();
        if (clientsSeeTheCut) {
            assertThat(load.refused.get()).as("503 answers during the cut").isPositive();
        }
        List<String> ids = new ArrayList<>(load.accepted);
        flow.awaitStatus(ids, "CONFIRMED", PATIENCE);
        flow.awaitOutboxesDrained(PATIENCE);
        assertThat(flow.ordersDb("SELECT count(*) FROM orders WHERE items::text LIKE ?", "%\"" + sku + "\"%"))
                .as("orders of the sku in the api's database: exactly those the clients were given").isEqualTo(ids.size());
        flow.assertConserved(sku, 1_000_000, ids.size());
        assertThat(flow.stockDb("SELECT count(*) FROM reservations WHERE order_id::text = ANY(?)",
                (Object) ids.toArray(String[]::new))).as("one reservation per order").isEqualTo(ids.size());
    }

    private int health(ServiceProcess service, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(20)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private enum Phase {
        BEFORE, CUT, HEALED
    }

    /** Clients posting orders in a loop; records every answer (and every request left without one). */
    private final class Load {
        private final String sku;
        private final ExecutorService pool = Executors.newCachedThreadPool();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.BEFORE);
        final Set<String> accepted = ConcurrentHashMap.newKeySet();
        final AtomicLong acceptedAfterHeal = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong slowestDuringCut = new AtomicLong();
        final List<String> unanswered = new CopyOnWriteArrayList<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        /** Orders answered 503, as {customer, Idempotency-Key}: each is repeated after the heal. */
        final List<String[]> refusedKeys = new CopyOnWriteArrayList<>();

        Load(String sku) {
            this.sku = sku;
        }

        void start(int clients) {
            for (int i = 0; i < clients; i++) {
                String customer = "partition-" + i;
                pool.submit(() -> loop(customer));
            }
        }

        private void loop(String customer) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            while (running.get()) {
                Phase during = phase.get();
                String key = UUID.randomUUID().toString();
                long sent = System.nanoTime();
                try {
                    HttpResponse<String> r = client.send(post(customer, key), HttpResponse.BodyHandlers.ofString());
                    if (during == Phase.CUT) {
                        slowestDuringCut.accumulateAndGet(System.nanoTime() - sent, Math::max);
                    }
                    record(during, customer, key, r);
                } catch (IOException e) {
                    unanswered.add(during + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private HttpRequest post(String customer, String key) {
            return HttpRequest.newBuilder(URI.create(stack.api.url() + "/orders"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", stack.customer(customer))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}"))
                    .build();
        }

        /**
         * Repeats every refused order with its own key until it is accepted (the service is healed by
         * now); returns how many repeats were replays, i.e. orders whose commit took effect although
         * the client was answered 503.
         */
        int repeatRefused() {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            int replays = 0;
            for (String[] refused : refusedKeys) {
                AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
                    answer.set(client.send(post(refused[0], refused[1]), HttpResponse.BodyHandlers.ofString()));
                    return answer.get().statusCode() == 202;
                });
                Matcher m = ID.matcher(answer.get().body());
                assertThat(m.find()).as("repeated order's answer: %s", answer.get().body()).isTrue();
                flow.created(m.group(1), refused[0]);
                assertThat(accepted.add(m.group(1))).as("a repeat with its own key returned another key's order %s", m.group(1))
                        .isTrue();
                if (answer.get().headers().firstValue("Idempotent-Replayed").orElse("").equals("true")) {
                    replays++;
                }
            }
            return replays;
        }

        private void record(Phase during, String customer, String key, HttpResponse<String> r) {
            if (r.statusCode() == 202) {
                Matcher m = ID.matcher(r.body());
                if (m.find()) {
                    flow.created(m.group(1), customer);
                    accepted.add(m.group(1));
                    if (during == Phase.HEALED) {
                        acceptedAfterHeal.incrementAndGet();
                    }
                    return;
                }
            }
            boolean problem = r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
            if (r.statusCode() == 503 && problem && r.headers().firstValue("Retry-After").isPresent()) {
                refused.incrementAndGet();
                refusedKeys.add(new String[] { customer, key });
                return;
            }
            unexpected.add(during + ": " + r.statusCode() + " " + r.body());
        }

        void stop() throws InterruptedException {
            running.set(false);
            pool.shutdown();
            if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        }
    }
}
