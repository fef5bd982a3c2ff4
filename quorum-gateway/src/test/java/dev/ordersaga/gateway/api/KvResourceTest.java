package dev.ordersaga.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;

import dev.ordersaga.testsupport.RedisNodesResource;

@QuarkusTest
@QuarkusTestResource(RedisNodesResource.class)
class KvResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @AfterEach
    void restartNodes() {
        RedisNodesResource.nodes().forEach(n -> n.start());
        // Wait until every node's breaker lets calls through again.
        await().atMost(WAIT).until(() -> put("probe", "p", null, "all").statusCode() == 204);
    }

    private static String key() {
        return "k-" + UUID.randomUUID();
    }

    private static Response put(String key, String value, String context, String w) {
        var request = given().contentType("text/plain").body(value);
        if (context != null) {
            request.header("X-Context", context);
        }
        if (w != null) {
            request.queryParam("w", w);
        }
        return request.put("/kv/" + key);
    }

    private static Response get(String key, String r) {
        var request = given();
        if (r != null) {
            request.queryParam("r", r);
        }
        return request.get("/kv/" + key);
    }

    /** What one node holds for a key, read straight from Redis (null when absent). */
    private static String onNode(int node, String key) {
        Redis redis = Redis.createClient(Vertx.vertx(), RedisNodesResource.node(node).url());
        try {
            var r = RedisAPI.api(redis).get("kv:" + key).await().atMost(Duration.ofSeconds(5));
            return r == null ? null : r.toString();
        } finally {
            redis.close();
        }
    }

    private static void onNodeDelete(int node, String key) {
        Redis redis = Redis.createClient(Vertx.vertx(), RedisNodesResource.node(node).url());
        try {
            RedisAPI.api(redis).del(List.of("kv:" + key)).await().atMost(Duration.ofSeconds(5));
        } finally {
            redis.close();
        }
    }

    @Test
    void putThenGetReturnsTheValueItsContentTypeAndAContext() {
        String k = key();
        put(k, "hello", null, null).then().statusCode(204);
        get(k, null).then().statusCode(200).contentType("text/plain").body(equalTo("hello"))
                .header("X-Context", notNullValue());
        for (int node = 0; node < 3; node++) {
            String key = k;
            int n = node;
            await().atMost(WAIT).until(() -> onNode(n, key) != null);
        }
    }

    @Test
    void absentKeyIs404AndDeleteMakesA404() {
        String k = key();
        get(k, null).then().statusCode(404);
        put(k, "v", null, null).then().statusCode(204);
        String context = get(k, null).header("X-Context");
        given().header("X-Context", context).delete("/kv/" + k).then().statusCode(204);
        get(k, null).then().statusCode(404);
        // Once a read finds the tombstone alone on every node, it is removed from storage.
        await().atMost(WAIT).untilAsserted(() -> {
            get(k, "all").then().statusCode(404);
            for (int node = 0; node < 3; node++) {
                assertThat(onNode(node, k)).isNull();
            }
        });
    }

    @Test
    void concurrentWritesBecomeSiblingsAndAWriteWithTheMergedContextResolvesThem() {
        String k = key();
        put(k, "left", null, null).then().statusCode(204);
        put(k, "right", null, null).then().statusCode(204);
        Response both = get(k, null);
        both.then().statusCode(300).body("siblings", hasSize(2));
        put(k, "merged", both.header("X-Context"), null).then().statusCode(204);
        get(k, null).then().statusCode(200).body(equalTo("merged"));
    }

    @Test
    void aWriteWithTheContextOfTheLastReadReplacesIt() {
        String k = key();
        put(k, "one", null, null).then().statusCode(204);
        put(k, "two", get(k, null).header("X-Context"), null).then().statusCode(204);
        get(k, null).then().statusCode(200).body(equalTo("two"));
    }

    @Test
    void withOneNodeStoppedEveryAcknowledgedWriteIsReadBackAndHintsReplayAfterRestart() {
        RedisNodesResource.node(2).stop();
        String k = key();
        put(k, "while-down", null, null).then().statusCode(204);
        get(k, null).then().statusCode(200).body(equalTo("while-down"));
        RedisNodesResource.node(2).start();
        await().atMost(WAIT).until(() -> onNode(2, k) != null);
        assertThat(onNode(2, k)).contains(java.util.Base64.getEncoder().encodeToString("while-down".getBytes()));
        given().post("/flush_hinted").then().statusCode(200).body("backlog", equalTo(0));
    }

    @Test
    void withTwoNodesStoppedWritesAndReadsAre503AndDataSurvives() {
        String k = key();
        put(k, "before", null, "all").then().statusCode(204);
        RedisNodesResource.node(1).stop();
        RedisNodesResource.node(2).stop();
        put(k, "during", null, null).then().statusCode(503).contentType("application/problem+json")
                .body("required", equalTo(2)).body("achieved", equalTo(1));
        get(k, null).then().statusCode(503).body("required", equalTo(2));
        // The refused write may stay on the one node that took it (as in Dynamo), as a sibling:
        // what was acknowledged before is still there.
        String before = java.util.Base64.getEncoder().encodeToString("before".getBytes());
        assertThat(get(k, "1").asString()).satisfiesAnyOf(b -> assertThat(b).isEqualTo("before"),
                b -> assertThat(b).contains(before));
        RedisNodesResource.node(1).start();
        RedisNodesResource.node(2).start();
        await().atMost(WAIT).untilAsserted(() -> {
            Response all = get(k, "all");
            assertThat(all.statusCode()).isIn(200, 300);
            assertThat(all.asString()).satisfiesAnyOf(b -> assertThat(b).isEqualTo("before"),
                    b -> assertThat(b).contains(before));
        });
    }

    @Test
    void aGetRepairsAKeyDeletedOnOneNode() {
        String k = key();
        put(k, "repair-me", null, "all").then().statusCode(204);
        onNodeDelete(1, k);
        assertThat(onNode(1, k)).isNull();
        get(k, "all").then().statusCode(200).body(equalTo("repair-me"));
        await().atMost(WAIT).until(() -> onNode(1, k) != null);
    }

    private static void onNodeSet(int node, String key, String raw) {
        Redis redis = Redis.createClient(Vertx.vertx(), RedisNodesResource.node(node).url());
        try {
            RedisAPI.api(redis).set(List.of("kv:" + key, raw)).await().atMost(Duration.ofSeconds(5));
        } finally {
            redis.close();
        }
    }

    @Test
    void integrityFindsDifferingRangesAndRepairMakesRootsEqual() {
        given().post("/repair").then().statusCode(200);
        given().get("/integrity").then().statusCode(200).body("equal", equalTo(true));
        String deleted = key();
        String overwritten = key();
        put(deleted, "keep-me", null, "all").then().statusCode(204);
        put(overwritten, "original", null, "all").then().statusCode(204);
        onNodeDelete(0, deleted);
        onNodeSet(2, overwritten, "[]");
        given().get("/integrity").then().statusCode(200).body("equal", equalTo(false))
                .body("differingRanges.size()", org.hamcrest.Matchers.greaterThan(0));
        given().post("/repair").then().statusCode(200).body("writes", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
        given().get("/integrity").then().statusCode(200).body("equal", equalTo(true));
        assertThat(onNode(0, deleted)).contains(java.util.Base64.getEncoder().encodeToString("keep-me".getBytes()));
        assertThat(onNode(2, overwritten)).contains(java.util.Base64.getEncoder().encodeToString("original".getBytes()));
    }

    @Test
    void badInputIs400AndWritesNothing() {
        String k = key();
        put("x".repeat(513), "v", null, null).then().statusCode(400).contentType("application/problem+json");
        given().contentType("text/plain").body("v").put("/kv/").then().statusCode(400);
        given().get("/kv").then().statusCode(400).contentType("application/problem+json");
        put(k, "v", "not-base64-json!", null).then().statusCode(400).contentType("application/problem+json");
        put(k, "v", null, "2").then().statusCode(400);
        get(k, "most").then().statusCode(400);
        assertThat(oversizedPut(k)).isEqualTo(413);
        get(k, null).then().statusCode(404);
    }

    /**
     * A body over the limit, sent with {@code Expect: 100-continue} so that the 413 arrives before the
     * body is written (without it the server may close the connection while the client still writes).
     */
    private static int oversizedPut(String key) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/kv/" + key))
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .expectContinue(true)
                    .header("Content-Type", "application/octet-stream")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[1_100_000]))
                    .build();
            return java.net.http.HttpClient.newHttpClient()
                    .send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void statusShowsEveryNode() {
        given().get("/status").then().statusCode(200).body("nodes", hasSize(3))
                .body("nodes[0].breaker", notNullValue());
    }
}
