package dev.ordersaga.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.ordersaga.netpol.PolicyCheck;
import dev.ordersaga.testsupport.PostgresServer;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

import sun.misc.Signal;

/**
 * Starts the whole system on this machine without Docker: a real PostgreSQL, three real Redis
 * nodes, the worker, the api and the quorum gateway, each as its own process, with every path
 * between them through a fault proxy that {@code ./chaos} controls. Prints the URLs, the secret,
 * tokens, the log folder and a few curl lines; Ctrl-C, SIGINT or SIGTERM stops everything and
 * removes what it made.
 *
 * <p>Ports (system properties, e.g. {@code ./run-local.sh -Dapi.port=18080}): api 8080, worker 8081,
 * gateway 8082, their metrics 9000-9002, PostgreSQL 15432, Redis 16379-16381, the eight proxies
 * 8091-8098, chaos control 8090. Everything listens on 127.0.0.1 ({@code -Dstack.bind=0.0.0.0} opens
 * api, worker and gateway to the network); the internal secret and every signing key are new at
 * each start. Every setting is README's default except {@code REPLICA_LAG_MS=1500} (so that
 * {@code read=replica} shows a stale order); a documented variable set in the calling shell reaches
 * the services that README gives it to, unless the stack sets it itself (its ports, addresses,
 * secrets and databases), and nothing else of the shell does.
 */
public final class LocalStack {

    /** Settings the local stack gives the services on top of README's defaults (a shell variable wins). */
    static final Map<String, Map<String, String>> DEMO = Map.of("api", Map.of("REPLICA_LAG_MS", "1500"));

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        long began = System.nanoTime();
        Path root = ProjectRoot.find();
        Path logs = Path.of(System.getProperty("stack.logs", root.resolve("target/stack-logs/local").toString()));
        Path env = Path.of(System.getProperty("stack.env", root.resolve("target/local-stack.env").toString()));
        Path keyFile = env.resolveSibling(env.getFileName().toString().replaceAll("\\.env$", "") + "-jwt-private.pem");
        System.setProperty(PostgresServer.BINARIES_PROPERTY,
                System.getProperty(PostgresServer.BINARIES_PROPERTY, root.resolve("target/embedded-pg").toString()));
        System.out.println("local stack: starting PostgreSQL, three Redis nodes, the quorum gateway, the worker and the api"
                + " (logs in " + logs + ")");
        List<AutoCloseable> running = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nlocal stack: stopping");
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e);
                }
            }
            for (Path made : List.of(env, keyFile)) {
                try {
                    Files.deleteIfExists(made);
                } catch (IOException e) {
                    System.err.println("while stopping: " + e);
                }
            }
            System.out.println("local stack: stopped");
            stopped.countDown();
        }, "local-stack-stop"));
        stopOn("INT", 130);
        stopOn("TERM", 143);

        int redisPort = port("redis.port", 16379);
        OrderStack stack = OrderStack.builder("local").readmeDefaults().everyPathProxied().logs(logs)
                .ports(port("api.port", 8080), port("worker.port", 8081)).gatewayPort(port("gateway.port", 8082))
                .managementPorts(port("api.management.port", 9000), port("worker.management.port", 9001),
                        port("gateway.management.port", 9002))
                .postgresPort(port("postgres.port", 15432))
                .redisPorts(redisPort, redisPort + 1, redisPort + 2)
                .proxyPorts(port("proxy.port", 8091))
                .host(System.getProperty("stack.bind", "127.0.0.1"))
                .build();
        running.add(stack);
        Map<String, Set<String>> documented = PolicyCheck.documented(root.resolve("README.md"));
        Map<String, String> passed = new LinkedHashMap<>();
        Set<String> ignored = new TreeSet<>();
        for (var service : Map.of("api", stack.api, "worker", stack.worker, "quorum-gateway", stack.gateway).entrySet()) {
            ServiceProcess p = service.getValue().inheritEnvironment(false);
            DEMO.getOrDefault(service.getKey(), Map.of()).forEach(p::env);
            for (String variable : documented.get(service.getKey())) {
                String value = System.getenv(variable);
                if (value == null) {
                    continue;
                }
                if (p.sets(variable) && !DEMO.getOrDefault(service.getKey(), Map.of()).containsKey(variable)) {
                    ignored.add(variable);
                    continue;
                }
                p.env(variable, value);
                passed.merge(variable, service.getKey(), (a, b) -> a + "," + b);
            }
        }
        stack.start();
        ChaosControl chaos = new ChaosControl(port("chaos.port", 8090), stack.paths(), stack.redis);
        running.add(chaos);

        Path key = stack.tokens.writePrivateKey(keyFile);
        Files.writeString(env, String.format("""
                # ordersaga local stack: . target/local-stack.env, then use "$C1" etc. as curl -H arguments
                S='Authorization: Bearer %s'
                C1='Authorization: %s'
                C2='Authorization: %s'
                ADMIN='Authorization: %s'
                API=%s
                WORKER=%s
                GATEWAY=%s
                API_METRICS=%s
                WORKER_METRICS=%s
                GATEWAY_METRICS=%s
                export CHAOS_PORT=%d
                """, stack.secret, stack.customer("c1"), stack.customer("c2"), stack.tokens.bearer("ops", "orders-admin"),
                stack.api.url(), stack.worker.url(), stack.gateway.url(), stack.api.managementUrl(),
                stack.worker.managementUrl(), stack.gateway.managementUrl(), chaos.port()));
        System.out.printf("""

                ordersaga is running, ready in %.1f s (Ctrl-C stops everything)
                  api             %s   (Swagger UI: %s/q/swagger-ui, metrics: %s/q/metrics)
                  worker          %s   (metrics: %s/q/metrics)
                  quorum-gateway  %s   (metrics: %s/q/metrics)
                  PostgreSQL      %s  (databases orders and stock)
                  Redis nodes     %s
                                  (the gateway reaches them through the proxies on ports %s: its /status names those)
                  faults          ./chaos list   (every path goes through a proxy; control on 127.0.0.1:%d)
                  listening on    %s
                  logs            %s
                  INTERNAL_SECRET %s  (new at each start)
                  tokens          %s  (customers c1 and c2, and an orders-admin)
                  more tokens     ./mvnw -q -pl devstack exec:java -Dexec.mainClass=dev.ordersaga.stack.MintToken \\
                                      -Dexec.args="%s <customer> [orders-admin]"
                  settings        README's defaults, REPLICA_LAG_MS=1500 (api)%s%s

                Try (after: . target/local-stack.env):
                  curl -s -X PUT $WORKER/stock/apple -H "$S" -H 'Content-Type: application/json' -d '{"available":100}'
                  curl -si -X POST $API/orders -H "$C1" -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' \\
                       -d '{"items":[{"sku":"apple","quantity":2}]}'
                  curl -s $API/orders -H "$C1"           (add -i to see X-Served-By and X-Session-Token)
                  curl -s "$API/debug/versions" -H "$S"
                  ./chaos api-to-worker on               (and off; ./chaos status)
                """,
                (System.nanoTime() - began) / 1e9, stack.api.url(), stack.api.url(), stack.api.managementUrl(), stack.worker.url(), stack.worker.managementUrl(),
                stack.gateway.url(), stack.gateway.managementUrl(), stack.postgres.reactiveUrl("<db>"),
                stack.redis.stream().map(RedisNode::url).collect(Collectors.joining(" ")),
                IntStream.range(0, stack.redis.size())
                        .mapToObj(i -> String.valueOf(stack.paths().get("gateway-to-redis-" + i).port()))
                        .collect(Collectors.joining(", ")),
                chaos.port(), System.getProperty("stack.bind", "127.0.0.1"), logs,
                stack.secret, env, key,
                passed.isEmpty() ? "" : "; from your shell: " + passed,
                ignored.isEmpty() ? "" : "; ignored from your shell (the stack sets them): " + ignored);
        stopped.await();
    }

    /**
     * Stops the stack on this signal with the shell's exit status for it. A signal ignored when the
     * JVM started stays ignored (the JVM installs no handler for it): a shell that starts a program in
     * the background hands it SIGINT ignored, so {@code run-local.sh} restores the default first.
     */
    private static void stopOn(String signal, int status) {
        Signal.handle(new Signal(signal), s -> new Thread(() -> System.exit(status), "local-stack-" + signal).start());
    }

    private static int port(String property, int fallback) {
        return Integer.getInteger(property, fallback);
    }
}
