package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * The packaged quorum gateway as two processes over three real redis-server processes: hints
 * survive a gateway killed in between, two coordinators make siblings, and a recorded concurrent
 * history with a node killed and restarted shows no acknowledged write lost and no stale read.
 */
class GatewayIT {

    private static final List<RedisNode> nodes = new ArrayList<>();
    private static ServiceProcess a;
    private static ServiceProcess b;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("project.root", "..")).toAbsolutePath();
        Path dir = Files.createTempDirectory("gateway-it-");
        for (int i = 0; i < 3; i++) {
            nodes.add(new RedisNode(Ports.free(), dir.resolve("redis-" + i)).start());
        }
        String urls = nodes.stream().map(RedisNode::url).collect(Collectors.joining(","));
        Path logs = root.resolve("system-tests/target/stack-logs/gateway");
        a = gateway(root, logs, "gateway-a", urls).start();
        b = gateway(root, logs, "gateway-b", urls).start();
    }

    private static ServiceProcess gateway(Path root, Path logs, String id, String urls) {
        return new ServiceProcess(id, ServiceProcess.jarOf(root, "quorum-gateway"), Ports.free(), logs)
                .env("GATEWAY_NODES", urls)
                .env("GATEWAY_ID", id)
                .env("GATEWAY_BREAKER_DELAY", "300ms")
                .env("GATEWAY_HINTS_REPLAY_EVERY", "1s");
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess p : new ServiceProcess[] { a, b }) {
            if (p != null) {
                p.stop();
            }
        }
        nodes.forEach(RedisNode::stop);
    }

    @AfterEach
    void heal() {
        nodes.forEach(RedisNode::start);
        if (!a.isRunning()) {
            a.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> put(a, "probe", "p", null, "all").statusCode() == 204);
    }

    private static Response put(ServiceProcess g, String key, String value, String context, String w) {
        var r = given().baseUri(g.url()).contentType("text/plain").body(value);
        if (context != null) {
            r.header("X-Context", context);
        }
        if (w != null) {
            r.queryParam("w", w);
        }
        return r.put("/kv/" + key);
    }

    private static Response get(ServiceProcess g, String key, String r) {
        var req = given().baseUri(g.url());
        if (r != null) {
            req.queryParam("r", r);
        }
        return req.get("/kv/" + key);
    }

    @Test
    void hintsForAThousandKeysSurviveAGatewayKilledInBetweenAndReplayToTheRestartedNode() {
        nodes.get(2).stop();
        for (int i = 0; i < 1000; i++) {
            assertThat(put(a, "hinted-" + i, "v" + i, null, null).statusCode()).isEqualTo(204);
        }
        // Hints are written off the response path: wait until gateway a has stored all of them.
        await().atMost(Duration.ofSeconds(30)).until(() -> backlog(b, 2) >= 1000);
        a.kill();
        nodes.get(2).start();
        // Gateway b replays the hints a stored; every key must reach node 2.
        await().atMost(Duration.ofSeconds(60)).until(() -> backlog(b, 2) == 0);
        nodes.get(0).stop();
        nodes.get(1).stop();
        for (int i = 0; i < 1000; i++) {
            get(b, "hinted-" + i, "1").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("v" + i));
        }
        nodes.get(0).start();
        nodes.get(1).start();
    }

    private static long backlog(ServiceProcess g, int node) {
        Response status = given().baseUri(g.url()).get("/status");
        return ((Number) status.path("nodes[" + node + "].hintBacklog")).longValue();
    }

    @Test
    void twoGatewaysWritingOneKeyWithoutContextMakeSiblingsThatAMergedWriteResolves() {
        String key = "siblings-" + System.nanoTime();
        put(a, key, "from-a", null, null).then().statusCode(204);
        put(b, key, "from-b", null, null).then().statusCode(204);
        Response both = get(a, key, null);
        both.then().statusCode(300).body("siblings.size()", org.hamcrest.Matchers.equalTo(2))
                .body("siblings.writtenBy", org.hamcrest.Matchers.containsInAnyOrder("gateway-a", "gateway-b"));
        put(b, key, "resolved", both.header("X-Context"), null).then().statusCode(204);
        get(a, key, null).then().statusCode(200).body(org.hamcrest.Matchers.equalTo("resolved"));
    }

    /**
     * Clients write increasing values to a few keys through both gateways while a node is killed and
     * restarted. Checked after: every acknowledged write is still there (or superseded by a later
     * one), and no read that began after a write was acknowledged returns an older value.
     */
    @Test
    void concurrentHistoryWithANodeKilledShowsNoLostWriteAndNoStaleRead() throws Exception {
        int keys = 4;
        String prefix = "history-" + System.nanoTime() + "-";
        Map<String, AtomicLong> acked = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int k = 0; k < keys; k++) {
            acked.put(prefix + k, new AtomicLong(-1));
        }
        ExecutorService pool = Executors.newFixedThreadPool(keys + 2);
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        List<Future<?>> work = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = prefix + k;
            ServiceProcess g = k % 2 == 0 ? a : b;
            work.add(pool.submit(() -> {
                // One writer per key: read for the context, write the next number.
                long n = 0;
                while (System.nanoTime() < end) {
                    Response read = get(g, key, null);
                    String context = read.header("X-Context");
                    Response w = put(g, key, String.valueOf(n), context, null);
                    if (w.statusCode() == 204) {
                        acked.get(key).set(n);
                    }
                    n++;
                }
            }));
            work.add(pool.submit(() -> {
                ServiceProcess other = g == a ? b : a;
                while (System.nanoTime() < end) {
                    long floor = acked.get(key).get();
                    Response r = get(other, key, null);
                    if (r.statusCode() == 200 && Long.parseLong(r.asString()) < floor) {
                        violations.add(key + ": read " + r.asString() + " after " + floor + " was acknowledged");
                    }
                }
            }));
        }
        Thread.sleep(2000);
        nodes.get(1).stop();
        Thread.sleep(2500);
        nodes.get(1).start();
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        assertThat(violations).isEmpty();
        for (var e : acked.entrySet()) {
            if (e.getValue().get() >= 0) {
                Response r = get(a, e.getKey(), "all");
                String body = r.asString();
                assertThat(r.statusCode()).as(e.getKey()).isIn(200, 300);
                if (r.statusCode() == 200) {
                    assertThat(Long.parseLong(body)).as(e.getKey()).isGreaterThanOrEqualTo(e.getValue().get());
                }
            }
        }
    }
}
