package dev.ordersaga.gateway.hints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.testsupport.RedisNodesResource;

/**
 * With every node up, the hints a write kept on the node that accepted it are dropped by the write
 * itself once the other nodes took it (the drops of concurrent writes go together), not left behind:
 * here replay is off, so a hint the write path failed to drop would stay.
 */
@QuarkusTest
@TestProfile(HintDropsTest.NoReplay.class)
@QuarkusTestResource(RedisNodesResource.class)
class HintDropsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Vertx VERTX = Vertx.vertx();
    private static final int WRITES = 400;
    private static final int CLIENTS = 16;

    public static class NoReplay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.hints-replay-every", "1h");
        }
    }

    @TestHTTPResource("/kv/")
    URL kv;

    @Test
    void withEveryNodeUpTheHintsOfConcurrentWritesAreDroppedByTheWrites() {
        String prefix = "drop-" + UUID.randomUUID() + "-";
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            keys.add(prefix + i);
        }
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int first = c;
            clients.add(CompletableFuture.runAsync(() -> {
                for (int i = first; i < WRITES; i += CLIENTS) {
                    assertThat(put(http, keys.get(i), "v" + i)).as(keys.get(i)).isEqualTo(204);
                }
            }));
        }
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        await().atMost(WAIT).untilAsserted(() -> {
            for (int holder = 0; holder < 3; holder++) {
                for (int target = 0; target < 3; target++) {
                    if (target != holder) {
                        assertThat(hintsHeld(holder, target, keys)).as("hints on node %d for node %d", holder, target)
                                .isZero();
                    }
                }
            }
        });
        // and every node took every write
        for (int node = 0; node < 3; node++) {
            assertThat(present(node, keys)).as("keys on node %d", node).isEqualTo(WRITES);
        }
    }

    private int put(HttpClient http, String key, String value) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(kv + key)).header("Authorization", "Bearer test-internal-secret")
                    .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many of {@code keys} node {@code holder} keeps a hint of for node {@code target}. */
    private static long hintsHeld(int holder, int target, List<String> keys) {
        Request hmget = Request.cmd(Command.HMGET).arg(ReplicaNode.HINTS + RedisNodesResource.node(target).url());
        keys.forEach(hmget::arg);
        return count(holder, hmget);
    }

    private static long present(int node, List<String> keys) {
        Request mget = Request.cmd(Command.MGET);
        keys.forEach(k -> mget.arg(ReplicaNode.KV + k));
        return count(node, mget);
    }

    private static long count(int node, Request request) {
        Redis redis = Redis.createClient(VERTX, RedisNodesResource.node(node).url());
        try {
            var answer = redis.send(request).await().atMost(Duration.ofSeconds(5));
            long n = 0;
            for (var v : answer) {
                if (v != null) {
                    n++;
                }
            }
            return n;
        } finally {
            redis.close();
        }
    }
}
