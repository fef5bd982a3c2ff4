package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TcpProxy;

/**
 * The packaged quorum gateway as two processes over three real redis-server processes: hints
 * survive a gateway killed in between, and two coordinators make siblings that a write with the
 * merged context resolves. The recorded histories under faults are in {@link GatewayHistoryIT}.
 */
class GatewayIT {

    private static final String SECRET = "gateway-it-internal-secret";
    private static final List<RedisNode> nodes = new ArrayList<>();
    private static ServiceProcess a;
    private static ServiceProcess b;
    private static Path root;
    private static Path logs;
    private static Path data;

    @BeforeAll
    static void start() throws Exception {
        root = ProjectRoot.find();
        data = Files.createTempDirectory("gateway-it-");
        for (int i = 0; i < 3; i++) {
            nodes.add(new RedisNode(Ports.free(), data.resolve("redis-" + i)).start());
        }
        String urls = nodes.stream().map(RedisNode::url).collect(Collectors.joining(","));
        logs = root.resolve("target/stack-logs/gateway");
        a = gateway(root, logs, "gateway-a", urls).start();
        b = gateway(root, logs, "gateway-b", urls).start();
    }

    private static ServiceProcess gateway(Path root, Path logs, String id, String urls) {
        return new ServiceProcess(id, ServiceProcess.jarOf(root, "quorum-gateway"), Ports.free(), logs)
                .env("GATEWAY_NODES", urls)
                .env("GATEWAY_ID", id)
                .env("GATEWAY_BREAKER_DELAY", "300ms")
                .env("GATEWAY_HINTS_REPLAY_EVERY", "1s")
                .env("INTERNAL_SECRET", SECRET)
                .env("GATEWAY_CONTEXT_KEYS", "c1=gateway-it-context-key");
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess p : new ServiceProcess[] { a, b }) {
            if (p != null) {
                p.stop();
            }
        }
        nodes.forEach(RedisNode::stop);
        Folders.deleteQuietly(data);
    }

    @AfterEach
    void heal() {
        nodes.forEach(RedisNode::resume);
        nodes.forEach(RedisNode::start);
        if (!a.isRunning()) {
            a.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> put(a, "probe-" + System.nanoTime(), "p", null, "all").statusCode() == 204);
    }

    private static Response put(ServiceProcess g, String key, String value, String context, String w) {
        var r = given().baseUri(g.url()).header("Authorization", "Bearer " + SECRET).contentType("text/plain").body(value);
        if (context != null) {
            r.header("X-Context", context);
        }
        if (w != null) {
            r.queryParam("w", w);
        }
        return r.put("/kv/" + key);
    }

    private static Response get(ServiceProcess g, String key, String r) {
        var req = given().baseUri(g.url()).header("Authorization", "Bearer " + SECRET);
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
            get(b, "hinted-" + i, "1").then().statusCode(200).body(Matchers.equalTo("v" + i));
        }
        nodes.get(0).start();
        nodes.get(1).start();
    }

    private static long backlog(ServiceProcess g, int node) {
        Response status = given().baseUri(g.url()).header("Authorization", "Bearer " + SECRET).get("/status");
        Number backlog = status.statusCode() == 200 ? status.path("nodes[" + node + "].hintBacklog") : null;
        return backlog == null ? -1 : backlog.longValue();
    }

    /** A key the gateway asks {@code node} to accept first (the preference order starts at the key's hash). */
    private static String keyFirstOn(int node, String prefix) {
        for (int i = 0;; i++) {
            String k = prefix + "-" + System.nanoTime() + "-" + i;
            if (Math.floorMod(k.hashCode(), 3) == node) {
                return k;
            }
        }
    }

    /**
     * The hint of a write exists before the client hears 204: a gateway killed with SIGKILL right after
     * the answer, while the third node hangs, leaves the hint behind, and the node gets the write from
     * it once it answers again, with anti-entropy off.
     */
    @Test
    void aGatewayKilledRightAfterA204LeavesTheHintOfTheNodeThatHung() {
        String urls = nodes.stream().map(RedisNode::url).collect(Collectors.joining(","));
        // no other gateway runs meanwhile: nothing but the hint may bring the write to node 2
        a.stop();
        b.stop();
        ServiceProcess c = gateway(root, logs, "gateway-c", urls).env("GATEWAY_ANTI_ENTROPY_EVERY", "1h").start();
        try {
            String key = keyFirstOn(0, "hinted-before-204");
            nodes.get(2).pause();
            put(c, key, "after-204", null, null).then().statusCode(204);
            c.kill();
            nodes.get(2).resume();
            c.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                byte[] held = nodes.get(2).get("kv:" + key);
                return held != null && new String(held, StandardCharsets.ISO_8859_1).contains("after-204");
            });
        } finally {
            c.stop();
            a.start();
            b.start();
        }
    }

    /**
     * A node refuses a write that reaches it after half the node timeout, from a gateway's very first
     * request on: here every command takes 300 ms each way to node 0 (more than the 500 ms timeout for
     * the round trip), so a write it took would be applied after the gateway gave up on it.
     */
    @Test
    void aWriteThatReachesANodeTooLateIsNotAppliedEvenOnTheFirstRequest() throws Exception {
        try (TcpProxy slow = TcpProxy.start(Ports.free(), nodes.get(0).port())) {
            slow.latency(300, 0);
            String urls = "redis://127.0.0.1:" + slow.port() + "," + nodes.get(1).url() + "," + nodes.get(2).url();
            ServiceProcess d = gateway(root, logs, "gateway-d", urls).env("GATEWAY_ANTI_ENTROPY_EVERY", "1h")
                    .env("GATEWAY_HINTS_REPLAY_EVERY", "1h").start();
            try {
                String key = keyFirstOn(0, "late");
                int status = put(d, key, "too-late", null, null).statusCode();
                assertThat(status).as("the write's outcome").isIn(204, 503);
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> !acceptedOn(nodes.get(0), key, "too-late"));
            } finally {
                d.stop();
            }
        }
    }

    /** Whether {@code node} holds {@code value} of {@code key} (nothing but the write itself could bring it there here). */
    private static boolean acceptedOn(RedisNode node, String key, String value) {
        byte[] held = node.get("kv:" + key);
        return held != null && new String(held, StandardCharsets.ISO_8859_1).contains(value);
    }

    @Test
    void twoGatewaysWritingOneKeyWithoutContextMakeSiblingsThatAMergedWriteResolves() {
        String key = "siblings-" + System.nanoTime();
        put(a, key, "from-a", null, null).then().statusCode(204);
        put(b, key, "from-b", null, null).then().statusCode(204);
        Response both = get(a, key, null);
        both.then().statusCode(300).body("siblings.size()", Matchers.equalTo(2))
                .body("siblings.writtenBy", Matchers.containsInAnyOrder("gateway-a", "gateway-b"));
        put(b, key, "resolved", both.header("X-Context"), null).then().statusCode(204);
        get(a, key, null).then().statusCode(200).body(Matchers.equalTo("resolved"));
    }
}
