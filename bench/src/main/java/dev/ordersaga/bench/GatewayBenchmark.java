package dev.ordersaga.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * The quorum gateway benchmark of BENCHMARKS.md, in one run (JVM mode), over three redis-server
 * processes: PUT at W=2 and GET at R=2 at a fixed concurrency; redis-benchmark SET/GET against one of
 * the same nodes at the same concurrency and value size (the ceiling); p99 at half the PUT rate; the
 * cost of signed contexts (PUTs that carry a context against PUTs that do not) and of blocking read
 * repair (GETs of keys a wiped node lacks against GETs of consistent keys); 10,000 hints replayed;
 * 10,000 diverged keys repaired. With {@code bench.baseline.jar}, an earlier gateway build is measured
 * the same way, in the same run, before the current one. Ends with one {@code RESULT} line.
 *
 * <p>System properties: {@code bench.concurrency} (50), {@code bench.seconds} (15),
 * {@code bench.warmup} (10: seconds of PUT, then of GET, before each build's measurement),
 * {@code bench.keys} (20000, keys per cost phase), {@code bench.baseline.jar} (none), {@code bench.jfr}
 * (a folder for a JFR profile of each gateway build; none).
 */
public final class GatewayBenchmark {

    private static final String SECRET = "bench-internal-secret";
    private static final String BEARER = "Bearer " + SECRET;

    private final int concurrency = Integer.getInteger("bench.concurrency", 50);
    private final int seconds = Integer.getInteger("bench.seconds", 15);
    private final int warmup = Integer.getInteger("bench.warmup", 10);
    private final int keys = Integer.getInteger("bench.keys", 20_000);
    private final String baselineJar = System.getProperty("bench.baseline.jar");
    private final Vertx vertx = Vertx.vertx();
    private final List<RedisNode> nodes = new ArrayList<>();
    private final byte[] value = new byte[100];
    private final Map<String, Object> result = new LinkedHashMap<>();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private Path root;
    private ServiceProcess gateway;
    private HttpClient client;
    private String prefix;
    private final AtomicLong written = new AtomicLong();

    public static void main(String[] args) throws Exception {
        new GatewayBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        root = ProjectRoot.find();
        Path dir = Files.createTempDirectory("gateway-bench-");
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(new RedisNode(Ports.free(), dir.resolve("redis-" + i)).start());
            }
            double[] redisBefore = redisBenchmark(nodes.get(0).port());
            if (baselineJar != null) {
                start(Path.of(baselineJar), "baseline");
                throughput("baseline");
                stopGateway();
                for (RedisNode node : nodes) {
                    node.wipe();
                    node.start();
                }
            }
            start(ServiceProcess.jarOf(root, "quorum-gateway"), "current");
            throughput("current");
            contextCost();
            readRepairCost();
            hintReplay();
            repair();
            stopGateway();
            double[] redisAfter = redisBenchmark(nodes.get(0).port());
            if (redisBefore != null && redisAfter != null) {
                double set = (redisBefore[0] + redisAfter[0]) / 2;
                double get = (redisBefore[1] + redisAfter[1]) / 2;
                report("redis-benchmark against node 0, %d clients, 100-byte values (mean of before and after): "
                        + "SET %.0f/s, GET %.0f/s", concurrency, set, get);
                result.put("redis_set_per_s", set);
                result.put("redis_get_per_s", get);
                result.put("put_ratio", (double) result.get("current_put_per_s") / set);
                result.put("get_ratio", (double) result.get("current_get_per_s") / get);
            }
            report("Dynomite: %s", which("dynomite") ? "on the PATH but not driven by this benchmark"
                    : "no dynomite binary on the PATH, skipped");
            report("HTTP statuses: %s", statuses);
            System.out.println("RESULT gateway " + result.entrySet().stream()
                    .map(e -> e.getKey() + "=" + (e.getValue() instanceof Double d ? String.format(Locale.ROOT, "%.3f", d)
                            : e.getValue()))
                    .collect(Collectors.joining(" ")));
        } finally {
            stopGateway();
            nodes.forEach(RedisNode::stop);
            vertx.close();
            Folders.deleteQuietly(dir);
        }
    }

    private void start(Path jar, String name) {
        prefix = name + "-";
        written.set(0);
        gateway = new ServiceProcess("gateway-" + name, jar, Ports.free(), root.resolve("target/stack-logs/gateway-bench"))
                .env("GATEWAY_NODES", nodes.stream().map(RedisNode::url).collect(Collectors.joining(",")))
                .env("GATEWAY_ID", "bench-" + name)
                .env("GATEWAY_ANTI_ENTROPY_EVERY", "1h")
                .env("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                .fastStart(false);
        String jfr = System.getProperty("bench.jfr");
        if (jfr != null) {
            // -Dbench.jfr=DIR: a JFR profile of the gateway (DIR/gateway-<build>.jfr, written when it stops)
            gateway.jvmArg("-XX:StartFlightRecording=filename=" + jfr + "/gateway-" + name + ".jfr,settings=profile,dumponexit=true");
        }
        gateway.env("INTERNAL_SECRET", SECRET).env("GATEWAY_CONTEXT_KEYS", "b1=bench-context-secret-1");
        // -Dbench.env=K=V,K=V (this build) and -Dbench.baseline.env=K=V,K=V (the baseline): extra
        // environment of the gateway, to measure a setting as a lever (the same jar twice, one setting apart)
        for (String kv : System.getProperty("baseline".equals(name) ? "bench.baseline.env" : "bench.env", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                gateway.env(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        gateway.start();
        client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(gateway.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
    }

    private void stopGateway() {
        if (gateway != null) {
            gateway.stop();
            gateway = null;
        }
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /**
     * PUT and GET at full concurrency, then PUT at half that rate (open loop). Each build is first
     * warmed with {@code bench.warmup} seconds of PUT and as many of GET, so that the gateway's JIT and
     * the load generator's (this JVM, which a first build would otherwise warm for the second) are
     * warm for whichever build is measured first.
     */
    private void throughput(String build) throws Exception {
        Load load = new Load(vertx);
        load.closedLoop(concurrency, Duration.ofSeconds(warmup), this::putNew, s -> s == 204);
        load.closedLoop(concurrency, Duration.ofSeconds(warmup), this::getWritten, s -> s == 200);
        Usage beforePut = usage();
        Result put = load.closedLoop(concurrency, Duration.ofSeconds(seconds), this::putNew, s -> s == 204);
        Usage afterPut = usage();
        report("%s: PUT w=2, %d clients, %ds: %.0f/s, p50 %.2f ms, p99 %.2f ms, %d errors", build, concurrency, seconds,
                put.rate(), put.p(50), put.p(99), put.errors());
        cost(build, "put", beforePut, afterPut, put.ok() + put.errors());
        Usage beforeGet = usage();
        Result get = load.closedLoop(concurrency, Duration.ofSeconds(seconds), this::getWritten, s -> s == 200);
        Usage afterGet = usage();
        report("%s: GET r=2, %d clients, %ds: %.0f/s, p50 %.2f ms, p99 %.2f ms, %d errors", build, concurrency, seconds,
                get.rate(), get.p(50), get.p(99), get.errors());
        cost(build, "get", beforeGet, afterGet, get.ok() + get.errors());
        Result half = load.openLoop(put.rate() / 2, Duration.ofSeconds(seconds), this::putNew, s -> s == 204);
        report("%s: PUT at half rate (%.0f/s offered, open loop): p50 %.2f ms, p99 %.2f ms, %d errors", build,
                put.rate() / 2, half.p(50), half.p(99), half.errors());
        result.put(build + "_put_per_s", put.rate());
        result.put(build + "_put_p99_ms", put.p(99));
        result.put(build + "_get_per_s", get.rate());
        result.put(build + "_get_p99_ms", get.p(99));
        result.put(build + "_put_half_rate_p99_ms", half.p(99));
        result.put(build + "_errors", put.errors() + get.errors() + half.errors());
    }

    /** CPU ticks of the gateway, of each Redis node and of this JVM (the load generator), and the commands each node executed. */
    private record Usage(long gateway, long[] nodes, long load, long[] commands) {
    }

    private Usage usage() throws IOException {
        long[] ticks = new long[nodes.size()];
        long[] commands = new long[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            ticks[i] = ProcessCpu.ticks(nodes.get(i).pid());
            commands[i] = nodes.get(i).commandsExecuted();
        }
        return new Usage(ProcessCpu.ticks(gateway.pid()), ticks, ProcessCpu.ticks(ProcessHandle.current().pid()), commands);
    }

    /** Reports CPU microseconds per operation for each process, and Redis commands per operation, between two usages. */
    private void cost(String build, String op, Usage before, Usage after, long ops) {
        double gatewayUs = (after.gateway - before.gateway) * ProcessCpu.MICROS_PER_TICK / ops;
        double loadUs = (after.load - before.load) * ProcessCpu.MICROS_PER_TICK / ops;
        List<String> perNode = new ArrayList<>();
        double nodesUs = 0;
        long commands = 0;
        for (int i = 0; i < nodes.size(); i++) {
            double us = (after.nodes[i] - before.nodes[i]) * ProcessCpu.MICROS_PER_TICK / ops;
            nodesUs += us;
            perNode.add(String.format(Locale.ROOT, "%.1f", us));
            // each usage() runs one INFO per node: not the load's
            commands += after.commands[i] - before.commands[i] - 1;
        }
        report("%s: %s CPU per operation: gateway %.1f us, Redis nodes %s us (together %.1f), load generator %.1f us; "
                + "%.1f Redis commands per operation (Lua's included)", build, op.toUpperCase(Locale.ROOT), gatewayUs,
                String.join(" / ", perNode), nodesUs, loadUs, (double) commands / ops);
        result.put(build + "_" + op + "_cpu_us_gateway", gatewayUs);
        result.put(build + "_" + op + "_cpu_us_redis", nodesUs);
        result.put(build + "_" + op + "_cpu_us_load", loadUs);
        result.put(build + "_" + op + "_redis_commands", (double) commands / ops);
    }

    /** PUTs that carry the signed context of a read of their key, against PUTs that carry none. */
    private void contextCost() throws Exception {
        Load load = new Load(vertx);
        load.fixedCount(concurrency, keys, i -> put("ctx-" + i, "", null), s -> s == 204);
        AtomicReferenceArray<String> contexts = new AtomicReferenceArray<>(keys);
        load.fixedCount(concurrency, keys, i -> client.request(HttpMethod.GET, "/kv/" + prefix + "ctx-" + i)
                .compose(req -> req.putHeader("Authorization", BEARER).send())
                .compose(resp -> resp.body().map(b -> {
                    contexts.set((int) i, resp.getHeader("X-Context"));
                    return resp.statusCode();
                })), s -> s == 200);
        Result withContext = load.fixedCount(concurrency, keys, i -> put("ctx-" + i, "", contexts.get((int) i)), s -> s == 204);
        Result blind = load.fixedCount(concurrency, keys, i -> put("blind-" + i, "", null), s -> s == 204);
        report("signed contexts: %d PUTs with the context of a read %.0f/s (p99 %.2f ms), %d PUTs without %.0f/s (p99 %.2f ms)",
                keys, withContext.rate(), withContext.p(99), keys, blind.rate(), blind.p(99));
        result.put("put_with_context_per_s", withContext.rate());
        result.put("put_with_context_p99_ms", withContext.p(99));
        result.put("put_without_context_per_s", blind.rate());
        result.put("put_without_context_p99_ms", blind.p(99));
    }

    /** GETs of keys a wiped node lacks (each read repairs it first when that node answers) against GETs of consistent keys. */
    private void readRepairCost() throws Exception {
        Load load = new Load(vertx);
        load.fixedCount(concurrency, 2L * keys, i -> put("rr-" + i, "?w=all", null), s -> s == 204);
        Result consistent = load.fixedCount(concurrency, keys, i -> get("rr-" + (keys + i)), s -> s == 200);
        nodes.get(2).wipe();
        nodes.get(2).start();
        awaitAllNodesAnswer();
        Result stale = load.fixedCount(concurrency, keys, i -> get("rr-" + i), s -> s == 200);
        report("blocking read repair: %d GETs of keys node 2 lost %.0f/s (p99 %.2f ms), %d GETs of consistent keys %.0f/s "
                + "(p99 %.2f ms)", keys, stale.rate(), stale.p(99), keys, consistent.rate(), consistent.p(99));
        result.put("get_repairing_per_s", stale.rate());
        result.put("get_repairing_p99_ms", stale.p(99));
        result.put("get_consistent_per_s", consistent.rate());
        result.put("get_consistent_p99_ms", consistent.p(99));
    }

    private void hintReplay() throws Exception {
        Load load = new Load(vertx);
        nodes.get(2).stop();
        Result hintedWrites = load.fixedCount(concurrency, 10_000, i -> put("hint-" + i, "", null), s -> s == 204);
        // Hints are kept off the response path, once every node answered or failed: wait until all are counted.
        report("10,000 writes with node 2 stopped: %d acknowledged, %d refused", hintedWrites.ok(), hintedWrites.errors());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (backlog() < hintedWrites.ok() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long pending = backlog();
        nodes.get(2).start();
        awaitAllNodesAnswer();
        pending = Math.max(pending, backlog());
        awaitAllNodesAnswer();
        long start = System.nanoTime();
        call(HttpMethod.POST, "/flush_hinted").toCompletionStage().toCompletableFuture().get();
        while (backlog() != 0 && System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            Thread.sleep(20);
        }
        double took = (System.nanoTime() - start) / 1e9;
        report("hint replay: %d hints replayed to the restarted node in %.2f s", pending, took);
        result.put("hints_replayed", pending);
        result.put("hint_replay_s", took);
    }

    private void repair() throws Exception {
        Load load = new Load(vertx);
        load.fixedCount(concurrency, 10_000, i -> put("repair-" + i, "?w=all", null), s -> s == 204);
        // Diverge node 1: it loses every key.
        nodes.get(1).wipe();
        nodes.get(1).start();
        awaitAllNodesAnswer();
        long start = System.nanoTime();
        String last = "";
        while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            last = call(HttpMethod.POST, "/repair").toCompletionStage().toCompletableFuture().get();
            if (call(HttpMethod.GET, "/integrity").toCompletionStage().toCompletableFuture().get().contains("\"equal\":true")) {
                break;
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        report("repair of a wiped node (every key written so far, 10,000 of this phase): %s, equal after %.2f s", last, took);
        result.put("repair_s", took);
    }

    private void awaitAllNodesAnswer() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String status = call(HttpMethod.GET, "/status").toCompletionStage().toCompletableFuture().get();
            if (!status.contains("\"breaker\":\"OPEN\"") && !status.contains("\"breaker\":\"HALF_OPEN\"")
                    && put("probe-" + System.nanoTime(), "?w=all", null).toCompletionStage().toCompletableFuture().get() == 204) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static void report(String format, Object... args) {
        System.out.println("BENCH " + String.format(Locale.ROOT, format, args));
    }

    private Future<Integer> putNew() {
        return put("k-" + written.getAndIncrement(), "", null);
    }

    private Future<Integer> put(String key, String query, String context) {
        return client.request(HttpMethod.PUT, "/kv/" + prefix + key + query)
                .compose(req -> {
                    req.putHeader("Content-Type", "application/octet-stream").putHeader("Authorization", BEARER);
                    if (context != null) {
                        req.putHeader("X-Context", context);
                    }
                    return req.send(Buffer.buffer(value));
                })
                .compose(resp -> resp.body().map(b -> count(resp.statusCode())));
    }

    private Future<Integer> get(String key) {
        return client.request(HttpMethod.GET, "/kv/" + prefix + key)
                .compose(req -> req.putHeader("Authorization", BEARER).send())
                .compose(resp -> resp.body().map(b -> count(resp.statusCode())));
    }

    private int count(int status) {
        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        return status;
    }

    private Future<Integer> getWritten() {
        return get("k-" + ThreadLocalRandom.current().nextLong(Math.max(1, written.get())));
    }

    private Future<String> call(HttpMethod method, String path) {
        return client.request(method, path).compose(req -> req.putHeader("Authorization", BEARER).send())
                .compose(resp -> resp.body()).map(Buffer::toString);
    }

    /** Hints waiting for node 2, as the gateway counts them (-1 while a holder does not answer). */
    private long backlog() throws Exception {
        String status = call(HttpMethod.GET, "/status").toCompletionStage().toCompletableFuture().get();
        Matcher m = Pattern.compile("\"hintBacklog\":(\\d+|null)").matcher(status);
        String last = "null";
        for (int node = 0; node < 3 && m.find(); node++) {
            last = m.group(1);
        }
        return last.equals("null") ? -1 : Long.parseLong(last);
    }

    private static boolean which(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    private double[] redisBenchmark(int port) throws Exception {
        try {
            Process p = new ProcessBuilder("redis-benchmark", "-h", "127.0.0.1", "-p", String.valueOf(port), "-c",
                    String.valueOf(concurrency), "-n", "300000", "-d", "100", "-t", "set,get", "-q")
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
            report("redis-benchmark not found (apt-get install redis-tools): ceiling not measured");
        }
        return null;
    }
}
