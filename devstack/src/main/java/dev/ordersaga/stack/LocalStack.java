package dev.ordersaga.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * Starts the whole system on this machine without Docker: a real PostgreSQL, three real Redis
 * nodes, the worker, the api and the quorum gateway, each as its own process. Prints the URLs and
 * a few curl lines; Ctrl-C stops everything.
 *
 * <p>Ports: {@code -Dapi.port} (8080), {@code -Dworker.port} (8081), {@code -Dgateway.port} (8082).
 */
public final class LocalStack {

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        int apiPort = Integer.getInteger("api.port", 8080);
        int workerPort = Integer.getInteger("worker.port", 8081);
        int gatewayPort = Integer.getInteger("gateway.port", 8082);
        Path root = ProjectRoot.find();

        List<AutoCloseable> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nstopping...");
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e);
                }
            }
            stopped.countDown();
        }));

        OrderStack stack = OrderStack.builder("local").ports(apiPort, workerPort).gatewayPort(gatewayPort).direct()
                .build();
        running.add(stack);
        stack.start();
        ServiceProcess gateway = stack.gateway;
        List<RedisNode> redis = stack.redis;

        String secret = OrderStack.SECRET;
        Path env = root.resolve("target/local-stack.env");
        Path key = stack.tokens.writePrivateKey(root.resolve("target/local-jwt-private.pem"));
        Files.createDirectories(env.getParent());
        Files.writeString(env, String.format("""
                # ordersaga local stack: . target/local-stack.env, then use "$C1" etc. as curl -H arguments
                S='Authorization: Bearer %s'
                C1='Authorization: %s'
                C2='Authorization: %s'
                ADMIN='Authorization: %s'
                API=%s
                WORKER=%s
                GATEWAY=%s
                """, secret, stack.customer("c1"), stack.customer("c2"), stack.tokens.bearer("ops", "orders-admin"),
                stack.api.url(), stack.worker.url(), gateway.url()));
        System.out.printf("""

                ordersaga is running (Ctrl-C stops everything)
                  api             %s   (OpenAPI: %s/q/openapi, metrics: %s/q/metrics)
                  worker          %s
                  quorum-gateway  %s
                  PostgreSQL      %s  (databases orders and stock)
                  Redis nodes     %s
                  logs            %s
                  INTERNAL_SECRET %s
                  tokens          %s  (customers c1 and c2, and an orders-admin)
                  more tokens     ./mvnw -q -pl devstack exec:java -Dexec.mainClass=dev.ordersaga.stack.MintToken \\
                                      -Dexec.args="%s <customer> [orders-admin]"

                Try (after: . target/local-stack.env):
                  curl -s -X PUT $WORKER/stock/apple -H "$S" -H 'Content-Type: application/json' -d '{"available":100}'
                  curl -si -X POST $API/orders -H "$C1" -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
                       -d '{"items":[{"sku":"apple","quantity":2}]}'
                  curl -s $API/orders -H "$C1"           (add -i to see X-Served-By and X-Session-Token)
                  curl -s "$API/debug/versions" -H "$S"
                  curl -s $WORKER/stock/apple -H "$S"
                  curl -s "$API/admin/outbox?status=dead" -H "$S"
                """,
                stack.api.url(), stack.api.url(), stack.api.managementUrl(), stack.worker.url(), gateway.url(),
                stack.postgres.reactiveUrl("<db>"),
                redis.stream().map(RedisNode::url).collect(Collectors.joining(" ")),
                root.resolve("target/stack-logs/local"), secret, env, key);
        stopped.await();
    }
}
