package dev.ordersaga.gateway.antientropy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

import dev.ordersaga.gateway.store.StateCodec;
import dev.ordersaga.testsupport.RedisNodesResource;

/**
 * One anti-entropy pass stops starting buckets once its budget is spent (here a nanosecond: one bucket a
 * pass), says so ({@code complete: false}, {@code bucketsLeft}), and repeated passes finish the job:
 * so {@code POST /repair} answers in bounded time however much a wiped node lacks.
 */
@QuarkusTest
@TestProfile(RepairPassBudgetTest.NoBudget.class)
@QuarkusTestResource(RedisNodesResource.class)
class RepairPassBudgetTest {

    private static final String BEARER = "Bearer test-internal-secret";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Vertx VERTX = Vertx.vertx();

    public static class NoBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.repair-pass-budget", "PT0.000000001S", "gateway.merkle-leaves", "16",
                    "gateway.anti-entropy-every", "1h");
        }
    }

    private static int put(String key, String value) {
        return given().header("Authorization", BEARER).contentType("text/plain").body(value)
                .put("/kv/" + key + "?w=all").statusCode();
    }

    private static Response post(String path) {
        return given().header("Authorization", BEARER).post(path);
    }

    private static List<String> valuesOnNode(int node, String key) {
        Redis redis = Redis.createClient(VERTX, RedisNodesResource.node(node).url());
        try {
            var r = redis.send(Request.cmd(Command.GET).arg("kv:" + key)).await().atMost(Duration.ofSeconds(5));
            return r == null ? List.of()
                    : StateCodec.decode(r.toBytes()).live().stream()
                            .map(s -> new String(s.value(), StandardCharsets.UTF_8)).toList();
        } finally {
            redis.close();
        }
    }

    @Test
    void aPassWithoutBudgetRepairsOneBucketAndSaysWhatIsLeftAndPassesAfterItFinish() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String k = "budget-" + UUID.randomUUID();
            assertThat(put(k, "v" + i)).isEqualTo(204);
            keys.add(k);
        }
        RedisNodesResource.node(1).stop();
        RedisNodesResource.node(1).wipe();
        RedisNodesResource.node(1).start();
        await().atMost(WAIT).until(() -> put("probe-" + UUID.randomUUID(), "p") == 204);
        // the wiped node is indexed (a scan of what it holds) before it can be compared
        await().atMost(WAIT).until(() -> given().header("Authorization", BEARER).get("/integrity")
                .<Boolean>path("complete"));

        Response first = post("/repair");
        first.then().statusCode(200);
        assertThat(first.<Integer>path("differingBuckets")).isGreaterThan(1);
        assertThat(first.<Integer>path("bucketsRepaired")).isEqualTo(1);
        assertThat(first.<Integer>path("bucketsLeft")).isEqualTo(first.<Integer>path("differingBuckets") - 1);
        assertThat(first.<Boolean>path("complete")).isFalse();

        int passes = 1;
        while (!post("/repair").<Boolean>path("complete")) {
            passes++;
            assertThat(passes).as("passes").isLessThan(17);
        }
        given().header("Authorization", BEARER).get("/integrity").then().statusCode(200)
                .body("equal", org.hamcrest.Matchers.equalTo(true));
        for (int i = 0; i < keys.size(); i++) {
            assertThat(valuesOnNode(1, keys.get(i))).containsExactly("v" + i);
        }
    }
}
