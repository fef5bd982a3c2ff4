package dev.ordersaga.stack;

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
        System.out.printf("""

                ordersaga is running (Ctrl-C stops everything)
                  api             %s   (OpenAPI: %s/q/openapi, metrics: %s/q/metrics)
                  worker          %s
                  quorum-gateway  %s
                  PostgreSQL      %s  (databases orders and stock)
                  Redis nodes     %s
                  logs            %s
                  INTERNAL_SECRET %s

                Try:
                  curl -s -X PUT %s/stock/apple -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"available":100}'
                  curl -si -X POST %s/orders -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
                       -d '{"customerId":"c1","items":[{"sku":"apple","quantity":2}]}'
                  curl -s '%s/orders?customerId=c1'          (add -i to see X-Served-By and X-Session-Token)
                  curl -s '%s/debug/versions'
                  curl -s %s/stock/apple -H 'Authorization: Bearer %s'
                  curl -s '%s/admin/outbox?status=dead' -H 'Authorization: Bearer %s'
                """,
                stack.api.url(), stack.api.url(), stack.api.url(), stack.worker.url(), gateway.url(),
                stack.postgres.reactiveUrl("<db>"),
                redis.stream().map(RedisNode::url).collect(Collectors.joining(" ")),
                root.resolve("system-tests/target/stack-logs/local"), secret,
                stack.worker.url(), secret, stack.api.url(), stack.api.url(), stack.api.url(), stack.worker.url(), secret,
                stack.api.url(), secret);
        stopped.await();
    }
}
