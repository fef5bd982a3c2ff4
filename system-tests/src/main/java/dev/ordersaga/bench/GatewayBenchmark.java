package dev.ordersaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import dev.ordersaga.bench.Load.Result;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * The quorum gateway benchmark of BENCHMARKS.md, in one run (JVM mode): PUT at W=2 and GET at R=2
 * over three redis-server processes at a fixed concurrency, redis-benchmark SET/GET against one of
 * the same nodes at the same concurrency, p99 at half the maximum PUT rate, the time to replay
 * 10,000 hints and the time to repair 10,000 diverged keys.
 *
 * <p>System properties: {@code bench.concurrency} (50), {@code bench.seconds} (15).
 */
public final class GatewayBenchmark {

    private final int concurrency = Integer.getInteger("bench.concurrency", 50);
    private final int seconds = Integer.getInteger("bench.seconds", 15);
    private final Vertx vertx = Vertx.vertx();
    private final List<RedisNode> nodes = new ArrayList<>();
    private final AtomicLong written = new AtomicLong();
    private final byte[] value = new byte[100];
    private ServiceProcess gateway;
    private HttpClient client;

    public static void main(String[] args) throws Exception {
        new GatewayBenchmark().run();
        System.exit(0);
    }

    private static final String SECRET = "bench-internal-secret";
    private static final String BEARER = "Bearer " + SECRET;

    private void run() throws Exception {
        Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath();
        Path dir = Files.createTempDirectory("gateway-bench-");
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(new RedisNode(Ports.free(), dir.resolve("redis-" + i)).start());
            }
            gateway = new ServiceProcess("quorum-gateway", ServiceProcess.jarOf(root, "quorum-gateway"), Ports.free(),
                    root.resolve("system-tests/target/stack-logs/gateway-bench"))
                    .env("GATEWAY_NODES", nodes.stream().map(RedisNode::url).collect(Collectors.joining(",")))
                    .env("GATEWAY_ID", "bench")
                    .env("INTERNAL_SECRET", SECRET)
                    .env("GATEWAY_CONTEXT_KEYS", "b1=bench-context-secret-1")
                    .env("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                    .fastStart(false)
                    .start();
            client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(gateway.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
            Load load = new Load(vertx);

            load.closedLoop(concurrency, Duration.ofSeconds(5), this::putNew, s -> s == 204);
            Result put = load.closedLoop(concurrency, Duration.ofSeconds(seconds), this::putNew, s -> s == 204);
            report("PUT w=2, %d clients, %ds: %.0f/s, p50 %.2f ms, p99 %.2f ms, %d errors", concurrency, seconds,
                    put.rate(), put.p(50), put.p(99), put.errors());
            Result get = load.closedLoop(concurrency, Duration.ofSeconds(seconds), this::getWritten, s -> s == 200);
            report("GET r=2, %d clients, %ds: %.0f/s, p50 %.2f ms, p99 %.2f ms, %d errors", concurrency, seconds,
                    get.rate(), get.p(50), get.p(99), get.errors());
            report("HTTP statuses so far: %s", statuses);
            Result half = load.openLoop(put.rate() / 2, Duration.ofSeconds(seconds), this::putNew, s -> s == 204);
            report("PUT at half rate (%.0f/s offered, open loop): p50 %.2f ms, p99 %.2f ms", put.rate() / 2, half.p(50),
                    half.p(99));
            double[] redis = redisBenchmark(nodes.get(0).port());
            if (redis != null) {
                report("redis-benchmark against node 0, %d clients, unpipelined: SET %.0f/s, GET %.0f/s", concurrency,
                        redis[0], redis[1]);
                report("ratios: PUT/SET %.2f (target 0.42), GET/GET %.2f (target 0.5)", put.rate() / redis[0],
                        get.rate() / redis[1]);
            }
            hintReplay(load);
            repair();
        } finally {
            if (gateway != null) {
                gateway.stop();
            }
            nodes.forEach(RedisNode::stop);
            vertx.close();
        }
    }

    private static void report(String format, Object... args) {
        System.out.println("BENCH " + String.format(format, args));
    }

    private Future<Integer> putNew() {
        return put("bench-" + written.getAndIncrement(), "");
    }

    private final java.util.Map<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();

    private Future<Integer> put(String key, String query) {
        return client.request(HttpMethod.PUT, "/kv/" + key + query)
                .compose(req -> req.putHeader("Content-Type", "application/octet-stream").putHeader("Authorization", BEARER)
                        .send(Buffer.buffer(value)))
                .compose(resp -> resp.body().map(b -> count(resp.statusCode())));
    }

    private int count(int status) {
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        return status;
    }

    private Future<Integer> getWritten() {
        long key = ThreadLocalRandom.current().nextLong(Math.max(1, written.get()));
        return client.request(HttpMethod.GET, "/kv/bench-" + key)
                .compose(req -> req.putHeader("Authorization", BEARER).send())
                .compose(resp -> resp.body().map(b -> count(resp.statusCode())));
    }

    private Future<String> call(HttpMethod method, String path) {
        return client.request(method, path).compose(req -> req.putHeader("Authorization", BEARER).send())
                .compose(resp -> resp.body())
                .map(Buffer::toString);
    }

    private long backlog() throws Exception {
        String status = call(HttpMethod.GET, "/status").toCompletionStage().toCompletableFuture().get();
        Matcher m = Pattern.compile("\"hintBacklog\":(\\d+)").matcher(status);
        long total = 0;
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    private void hintReplay(Load load) throws Exception {
        nodes.get(2).stop();
        Result hintedWrites = load.fixedCount(concurrency, 10_000, i -> put("hint-" + i, ""), s -> s == 204);
        report("10,000 writes with node 2 stopped: %d acknowledged, %d refused", hintedWrites.ok(),
                hintedWrites.errors());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (backlog() < 10_000 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long pending = backlog();
        nodes.get(2).start();
        long start = System.nanoTime();
        call(HttpMethod.POST, "/flush_hinted").toCompletionStage().toCompletableFuture().get();
        while (backlog() > 0 && System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            Thread.sleep(20);
        }
        report("hint replay: %d hints replayed to the restarted node in %.2f s (target < 2 s)", pending,
                (System.nanoTime() - start) / 1e9);
    }

    private void repair() throws Exception {
        Load load = new Load(vertx);
        load.fixedCount(concurrency, 10_000, i -> put("repair-" + i, "?w=all"), s -> s == 204);
        call(HttpMethod.POST, "/repair").toCompletionStage().toCompletableFuture().get();
        // Diverge node 1: it loses every key.
        nodes.get(1).stop();
        deleteDataOf(nodes.get(1));
        nodes.get(1).start();
        // Time the repair only once every node answers again (its breaker closed).
        long ready = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (call(HttpMethod.GET, "/integrity").toCompletionStage().toCompletableFuture().get()
                .contains("\"reachable\":false") && System.nanoTime() < ready) {
            Thread.sleep(200);
        }
        long start = System.nanoTime();
        String result = call(HttpMethod.POST, "/repair").toCompletionStage().toCompletableFuture().get();
        double took = (System.nanoTime() - start) / 1e9;
        String integrity = call(HttpMethod.GET, "/integrity").toCompletionStage().toCompletableFuture().get();
        report("repair: %s in %.2f s (target 10,000 keys < 5 s); integrity after: equal=%s", result, took,
                integrity.contains("\"equal\":true"));
    }

    private static void deleteDataOf(RedisNode node) throws IOException {
        try (var files = Files.walk(node.dir())) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(node.dir())) {
                    Files.delete(p);
                }
            }
        }
    }

    private double[] redisBenchmark(int port) throws Exception {
        try {
            Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(port), "-c",
                    String.valueOf(concurrency), "-n", "200000", "-d", "100", "-t", "set,get", "-q")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Matcher set = Pattern.compile("SET: ([0-9.]+) requests per second").matcher(out);
            Matcher get = Pattern.compile("GET: ([0-9.]+) requests per second").matcher(out);
            if (set.find() && get.find()) {
                return new double[] { Double.parseDouble(set.group(1)), Double.parseDouble(get.group(1)) };
            }
            report("redis-benchmark output not understood: %s", out);
        } catch (IOException e) {
            report("redis-benchmark not found (apt-get install redis-tools): baseline not measured");
        }
        return null;
    }
}
