package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

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

    @BeforeAll
    static void start() throws Exception {
        Path root = ProjectRoot.find();
        Path dir = Files.createTempDirectory("gateway-it-");
        for (int i = 0; i < 3; i++) {
            nodes.add(new RedisNode(Ports.free(), dir.resolve("redis-" + i)).start());
        }
        String urls = nodes.stream().map(RedisNode::url).collect(Collectors.joining(","));
        Path logs = root.resolve("target/stack-logs/gateway");
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
    }

    @AfterEach
    void heal() {
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
