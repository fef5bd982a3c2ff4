package dev.ordersaga.gateway.quorum;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.ordersaga.testsupport.RedisNodesResource;

/**
 * A read at R=2 asks two nodes, not three, while they answer; a node that fails is replaced by the
 * next one, so reads still succeed with one node down. The speculative delay is set far beyond the
 * test here, so that only a failure makes a read ask a third node: the count of GETs the nodes
 * execute tells how many nodes each read asked.
 */
@QuarkusTest
@TestProfile(SpeculativeReadTest.NoSpeculationByTime.class)
@QuarkusTestResource(RedisNodesResource.class)
class SpeculativeReadTest {

    private static final String BEARER = "Bearer test-internal-secret";
    private static final int READS = 100;

    public static class NoSpeculationByTime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.speculative-read-after", "1h", "gateway.anti-entropy-every", "1h");
        }
    }

    @AfterEach
    void allNodesUp() {
        for (int i = 0; i < 3; i++) {
            RedisNodesResource.node(i).start();
        }
    }

    private static List<String> written(int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String k = "spec-" + UUID.randomUUID();
            String value = "v" + i;
            // on a loaded machine a write to every node can meet a node timeout: the test is about reads
            await().atMost(Duration.ofSeconds(30)).until(() -> given().header("Authorization", BEARER)
                    .contentType("text/plain").body(value).put("/kv/" + k + "?w=all").statusCode() == 204);
            keys.add(k);
        }
        return keys;
    }

    private static long gets() {
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            if (RedisNodesResource.node(i).isRunning()) {
                sum += RedisNodesResource.node(i).commandsExecuted("get");
            }
        }
        return sum;
    }

    @Test
    void aQuorumReadAsksTwoNodesWhileTheyAnswer() {
        List<String> keys = written(READS);
        long before = gets();
        for (int i = 0; i < READS; i++) {
            given().header("Authorization", BEARER).get("/kv/" + keys.get(i)).then().statusCode(200);
        }
        long asked = gets() - before;
        // two nodes a read; every node at once would be 3 x READS
        assertThat(asked).as("GETs the nodes executed for %d reads", READS).isEqualTo(2L * READS);
    }

    @Test
    void aReadWhoseNodeIsDownAsksTheNextOne() {
        List<String> keys = written(30);
        RedisNodesResource.node(1).stop();
        for (String k : keys) {
            given().header("Authorization", BEARER).get("/kv/" + k).then().statusCode(200);
        }
    }
}
