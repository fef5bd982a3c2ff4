package dev.ordersaga.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;

/**
 * A node connection of the Redis client this gateway is built with takes the per-turn flushing (so
 * an upgrade of the client that hides its socket is noticed here, not in a benchmark), and commands
 * sent over it in one turn, more than the handler takes together, are all answered, each with its
 * own answer, in order.
 */
class FlushCoalescingTest {

    private static Path dir;
    private static RedisNode node;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("flush-coalescing");
        node = new RedisNode(Ports.free(), dir).start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
        node.stop();
        Folders.delete(dir);
    }

    @Test
    void aNodeConnectionCoalescesFlushesAndEveryCommandGetsItsOwnAnswer() throws Exception {
        Redis client = Redis.createClient(vertx, node.url());
        RedisConnection conn = client.connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(FlushCoalescing.install(conn)).as("the handler is installed on the client's connection").isTrue();
        assertThat(FlushCoalescing.install(conn)).as("installing it again keeps one").isTrue();

        int commands = FlushCoalescing.MOST_FLUSHES * 3 + 7;
        CompletableFuture<List<Future<Response>>> sent = new CompletableFuture<>();
        // sent from one task on an event loop: one turn, so their flushes are taken together
        vertx.runOnContext(v -> {
            List<Future<Response>> answers = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                answers.add(conn.send(Request.cmd(Command.INCR).arg("coalesced")));
            }
            sent.complete(answers);
        });
        List<Future<Response>> answers = sent.get(30, TimeUnit.SECONDS);
        Future.all(answers).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        for (int i = 0; i < commands; i++) {
            assertThat(answers.get(i).result().toLong()).as("answer %d", i).isEqualTo(i + 1L);
        }
        conn.close();
        client.close();
    }
}
