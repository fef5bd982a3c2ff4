package dev.ordersaga.gateway.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

import dev.ordersaga.testsupport.RedisNodesResource;

/** The multi-key calls: each key as its single-key call, an outcome per key, the request refused only as a whole. */
@QuarkusTest
@QuarkusTestResource(RedisNodesResource.class)
class KvBatchResourceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SECRET = "test-internal-secret";

    @BeforeAll
    static void authenticate() {
        RestAssured.filters((request, response, ctx) -> {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", "Bearer " + SECRET);
            }
            return ctx.next(request, response);
        });
    }

    @AfterEach
    void restartNodes() {
        RedisNodesResource.nodes().forEach(n -> n.start());
        await().atMost(WAIT).until(() -> given().contentType("text/plain").body("p").queryParam("w", "all")
                .put("/kv/probe-" + UUID.randomUUID()).statusCode() == 204);
    }

    private static String key() {
        return "b-" + UUID.randomUUID();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> write(String key, String value, String context) {
        Map<String, Object> w = new HashMap<>();
        w.put("key", key);
        w.put("value", b64(value));
        w.put("contentType", "text/plain");
        if (context != null) {
            w.put("context", context);
        }
        return w;
    }

    private static Response putMany(List<Map<String, Object>> writes) {
        return given().contentType("application/json").body(Map.of("writes", writes)).post("/kv-batch/put");
    }

    private static Response getMany(List<String> keys) {
        return given().contentType("application/json").body(Map.of("keys", keys)).post("/kv-batch/get");
    }

    private static Response single(String key) {
        return given().get("/kv/" + key);
    }

    private static String value(Response r, int i) {
        return new String(Base64.getDecoder().decode(r.path("results[" + i + "].values[0].value").toString()), StandardCharsets.UTF_8);
    }

    @Test
    void manyKeysWrittenInOneCallAreReadBackAloneAndTogetherAndTheirContextsReplaceThem() {
        List<String> keys = List.of(key(), key(), key());
        List<Map<String, Object>> writes = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            writes.add(write(keys.get(i), "v" + i, null));
        }
        putMany(writes).then().statusCode(200).body("results.status", equalTo(List.of(204, 204, 204)))
                .body("results.key", equalTo(keys));
        for (int i = 0; i < keys.size(); i++) {
            single(keys.get(i)).then().statusCode(200).contentType("text/plain").body(equalTo("v" + i));
        }
        String absent = key();
        List<String> asked = new ArrayList<>(keys);
        asked.add(1, absent);
        Response read = getMany(asked);
        read.then().statusCode(200).body("results.key", equalTo(asked))
                .body("results.status", equalTo(List.of(200, 404, 200, 200)))
                .body("results[0].values[0].contentType", equalTo("text/plain"))
                .body("results[1].values.size()", equalTo(0));
        assertThat(read.<String>path("results[1].context")).isNull();
        assertThat(value(read, 0)).isEqualTo("v0");
        assertThat(value(read, 3)).isEqualTo("v2");

        // Each context is the key's, exactly as a single-key read's: a write with it replaces the value.
        List<Map<String, Object>> next = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            int at = i == 0 ? 0 : i + 1;
            next.add(write(keys.get(i), "w" + i, read.path("results[" + at + "].context")));
        }
        putMany(next).then().statusCode(200).body("results.status", equalTo(List.of(204, 204, 204)));
        Response after = getMany(keys);
        after.then().body("results.status", equalTo(List.of(200, 200, 200)));
        for (int i = 0; i < keys.size(); i++) {
            assertThat(value(after, i)).isEqualTo("w" + i);
        }

        // A delete in a batch leaves a 404 that still carries a context.
        Map<String, Object> delete = new HashMap<>(Map.of("key", keys.get(0), "delete", true,
                "context", after.path("results[0].context")));
        putMany(List.of(delete)).then().statusCode(200).body("results[0].status", equalTo(204));
        single(keys.get(0)).then().statusCode(404);
        getMany(List.of(keys.get(0))).then().body("results[0].status", equalTo(404))
                .body("results[0].context", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void blindWritesOfOneKeyBecomeSiblingsThatTheMergedContextResolves() {
        String k = key();
        putMany(List.of(write(k, "left", null))).then().body("results[0].status", equalTo(204));
        putMany(List.of(write(k, "right", null))).then().body("results[0].status", equalTo(204));
        Response both = getMany(List.of(k));
        both.then().body("results[0].status", equalTo(300)).body("results[0].values.size()", equalTo(2));
        single(k).then().statusCode(300);
        putMany(List.of(write(k, "merged", both.path("results[0].context")))).then().body("results[0].status", equalTo(204));
        single(k).then().statusCode(200).body(equalTo("merged"));
    }

    @Test
    void eachKeyGetsItsOwnOutcomeAndOnlyTheGoodOnesAreWritten() {
        String good = key();
        String forged = key();
        String large = key();
        String notBase64 = key();
        String later = key();
        single(forged).then().statusCode(404);
        String otherKeysContext = getContextOf(later);
        List<Map<String, Object>> writes = new ArrayList<>();
        writes.add(write(good, "fine", null));
        writes.add(write("bad\u0001key", "x", null));
        writes.add(write(forged, "x", otherKeysContext));
        Map<String, Object> big = new HashMap<>(Map.of("key", large,
                "value", Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1])));
        writes.add(big);
        writes.add(new HashMap<>(Map.of("key", notBase64, "value", "%%% not base64 %%%")));
        Response r = putMany(writes);
        r.then().statusCode(200)
                .body("results.status", equalTo(List.of(204, 400, 400, 413, 400)))
                .body("results[1].problem.type", equalTo("https://ordersaga.dev/problems/invalid-key"))
                .body("results[2].problem.type", equalTo("https://ordersaga.dev/problems/context-forged"))
                .body("results[3].problem.type", equalTo("https://ordersaga.dev/problems/value-too-large"))
                .body("results[4].problem.type", equalTo("https://ordersaga.dev/problems/invalid-value"));
        single(good).then().statusCode(200).body(equalTo("fine"));
        for (String k : List.of(forged, large, notBase64)) {
            given().queryParam("r", "all").get("/kv/" + k).then().statusCode(404);
        }
    }

    /** The context a read of {@code k} returns once it holds a value. */
    private String getContextOf(String k) {
        putMany(List.of(write(k, "something", null))).then().body("results[0].status", equalTo(204));
        return getMany(List.of(k)).path("results[0].context");
    }

    @Test
    void aRequestThatIsNotAListOfDistinctKeysIsRefusedWholeAndWritesNothing() {
        String k = key();
        putMany(List.of(write(k, "one", null), write(k, "two", null))).then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("https://ordersaga.dev/problems/duplicate-key"))
                .body("index", equalTo(1));
        given().queryParam("r", "all").get("/kv/" + k).then().statusCode(404);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 129; i++) {
            tooMany.add(key());
        }
        getMany(tooMany).then().statusCode(400).body("type", equalTo("https://ordersaga.dev/problems/too-many-keys"))
                .body("maxKeys", equalTo(128));
        getMany(List.of()).then().statusCode(400).body("type", equalTo("https://ordersaga.dev/problems/invalid-batch"));
        given().contentType("application/json").body("{\"keys\": [").post("/kv-batch/get").then().statusCode(400)
                .contentType("application/problem+json");
        given().contentType("application/json").body("{}").post("/kv-batch/put").then().statusCode(400)
                .body("type", equalTo("https://ordersaga.dev/problems/invalid-batch"));
        given().contentType("application/json").body(Map.of("keys", List.of(k), "r", "most")).post("/kv-batch/get")
                .then().statusCode(400).body("type", equalTo("https://ordersaga.dev/problems/invalid-r"));
    }

    @Test
    void withTwoNodesStoppedEveryKeyIsA503WithItsQuorumAndWithOneStoppedEveryKeyIsTaken() {
        String a = key();
        String b = key();
        RedisNodesResource.node(2).stop();
        putMany(List.of(write(a, "a", null), write(b, "b", null))).then().statusCode(200)
                .body("results.status", equalTo(List.of(204, 204)));
        getMany(List.of(a, b)).then().body("results.status", equalTo(List.of(200, 200)));
        RedisNodesResource.node(1).stop();
        Response writes = putMany(List.of(write(key(), "x", null), write(key(), "y", null)));
        writes.then().statusCode(200).body("results.status", equalTo(List.of(503, 503)))
                .body("results[0].problem.type", equalTo("https://ordersaga.dev/problems/quorum-not-reached"))
                .body("results[0].problem.required", equalTo(2));
        getMany(List.of(a, b)).then().statusCode(200).body("results.status", equalTo(List.of(503, 503)));
    }
}
