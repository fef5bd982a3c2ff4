package dev.ordersaga.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import dev.ordersaga.bench.Load.Result;
import dev.ordersaga.bench.peer.GruelboxPeer;
import dev.ordersaga.bench.peer.PeerProcesses;
import dev.ordersaga.stack.OrderStack;
import dev.ordersaga.testsupport.ServiceProcess;

/**
 * The order-intake benchmark of BENCHMARKS.md, in one run on this machine (JVM mode): start-up
 * time, the maximum accepted rate at a fixed concurrency, accept latency and PENDING to CONFIRMED
 * latency at half that rate, outbox publish lag and backlog, RSS after the run, and the ceiling of
 * the same order + outbox insert transaction measured by pgbench against the same PostgreSQL.
 *
 * <p>System properties: {@code bench.concurrency} (32), {@code bench.seconds} (20),
 * {@code bench.warmup} (10), {@code bench.skus} (16).
 */
public final class OrderBenchmark {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    private final int concurrency = Integer.getInteger("bench.concurrency", 32);
    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int warmup = Integer.getInteger("bench.warmup", 10);
    private final int skus = Integer.getInteger("bench.skus", 16);
    private final Vertx vertx = Vertx.vertx();
    private OrderStack stack;
    private HttpClient client;

    public static void main(String[] args) throws Exception {
        new OrderBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        stack = OrderStack.builder("bench")
                .direct()
                .apiEnv("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                .apiEnv("WORKER_CLIENT_TIMEOUT_MS", "2000")
                .workerEnv("API_CLIENT_TIMEOUT_MS", "2000")
                .workerEnv("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                .build();
        stack.api.fastStart(false);
        stack.worker.fastStart(false);
        // -Dbench.env=K=V,K=V: extra environment of api and worker (to measure a setting as a lever)
        for (String kv : System.getProperty("bench.env", "").split(",")) {
            String[] pair = kv.split("=", 2);
            if (pair.length == 2) {
                stack.api.env(pair[0], pair[1]);
                stack.worker.env(pair[0], pair[1]);
            }
        }
        String jfr = System.getProperty("bench.jfr");
        if (jfr != null) {
            // -Dbench.jfr=DIR: a JFR profile of each service (DIR/api.jfr, DIR/worker.jfr, written when it stops)
            stack.api.jvmArg("-XX:StartFlightRecording=filename=" + jfr + "/api.jfr,settings=profile,dumponexit=true");
            stack.worker.jvmArg("-XX:StartFlightRecording=filename=" + jfr + "/worker.jfr,settings=profile,dumponexit=true");
        }
        stack.start();
        try {
            report("start-up (s, from the Quarkus log): worker %s, api %s", startedIn(stack.worker),
                    startedIn(stack.api));
            for (int i = 0; i < skus; i++) {
                setStock("bench-" + i);
            }
            client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(stack.api.port()).setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(concurrency));

            closedLoop(Duration.ofSeconds(warmup));
            awaitBacklog(Duration.ofSeconds(60));

            var backlog = new BacklogSampler().start();
            long maxStart = dbNow();
            long[] cpuBefore = cpuTicks();
            Result max = closedLoop(Duration.ofSeconds(seconds));
            long[] cpuAfter = cpuTicks();
            long[] backlogSeen = backlog.stop();
            report("max rate, %d concurrent clients, %ds: %.0f orders/s accepted; accept latency p50 %.1f ms, p99 %.1f ms; %d errors",
                    concurrency, seconds, max.rate(), max.p(50), max.p(99), max.errors());
            report("CPU during the max-rate phase, in cores (of 2): api %.2f, worker %.2f, PostgreSQL %.2f, "
                    + "load generator %.2f; CPU ms per accepted order: api %.2f, worker %.2f, PostgreSQL %.2f",
                    cores(cpuBefore, cpuAfter, 0, max), cores(cpuBefore, cpuAfter, 1, max),
                    cores(cpuBefore, cpuAfter, 2, max), cores(cpuBefore, cpuAfter, 3, max),
                    perOrder(cpuBefore, cpuAfter, 0, max), perOrder(cpuBefore, cpuAfter, 1, max),
                    perOrder(cpuBefore, cpuAfter, 2, max));
            report("outbox backlog during the max-rate phase (api, sampled each second): first %d, max %d, last %d",
                    backlogSeen[0], backlogSeen[1], backlogSeen[2]);
            awaitBacklog(Duration.ofSeconds(120));
            long[] cpuDrained = cpuTicks();
            double drainedAfter = (dbNow() - maxStart) / 1e6;
            double sustained = max.ok() / drainedAfter;
            double cpuPerConfirmed = perOrder(cpuBefore, cpuDrained, 0, max) + perOrder(cpuBefore, cpuDrained, 1, max)
                    + perOrder(cpuBefore, cpuDrained, 2, max);
            double cpuPerConfirmedAll = cpuPerConfirmed + perOrder(cpuBefore, cpuDrained, 4, max)
                    + perOrder(cpuBefore, cpuDrained, 5, max);
            report("sustained (the max-rate phase and its drain until every order is CONFIRMED and every outbox empty, "
                    + "%.1f s): %.0f confirmed orders/s; CPU ms per confirmed order %.2f (api %.2f, worker %.2f, PostgreSQL %.2f); "
                    + "with the gateway (%.2f) and the three Redis nodes (%.2f): %.2f",
                    drainedAfter, sustained, cpuPerConfirmed, perOrder(cpuBefore, cpuDrained, 0, max),
                    perOrder(cpuBefore, cpuDrained, 1, max), perOrder(cpuBefore, cpuDrained, 2, max),
                    perOrder(cpuBefore, cpuDrained, 4, max), perOrder(cpuBefore, cpuDrained, 5, max), cpuPerConfirmedAll);
            report("publish lag at max rate: %s", lag(maxStart));

            double half = max.rate() / 2;
            long halfStart = dbNow();
            Result h = openLoop(half, Duration.ofSeconds(seconds));
            report("half rate (%.0f orders/s offered, open loop): %.0f accepted/s; accept latency p50 %.1f ms, p99 %.1f ms; %d errors",
                    half, h.rate(), h.p(50), h.p(99), h.errors());
            awaitBacklog(Duration.ofSeconds(120));
            String confirm = confirmLatency(halfStart);
            report("PENDING -> CONFIRMED at half rate: %s", confirm);
            report("publish lag at half rate: %s", lag(halfStart));
            long rssApi = rssMb(stack.api);
            long rssWorker = rssMb(stack.worker);
            report("RSS after the run: api %d MB, worker %d MB", rssApi, rssWorker);

            stack.api.stop();
            stack.worker.stop();
            double tps = pgbench();
            if (tps > 0) {
                report("pgbench, the api's accept transaction (order, two outbox rows, two sequence numbers), %d clients, %ds: %.0f tx/s; accepted/pgbench = %.2f",
                        concurrency, seconds, tps, max.rate() / tps);
            }
            Peer peer = peer();
            if (peer != null) {
                report("peer (the same saga on gruelbox transaction-outbox, %d delivery threads a side), same PostgreSQL, "
                        + "same load: %.0f orders/s accepted; sustained %.0f confirmed orders/s; CPU ms per confirmed order %.2f "
                        + "(api %.2f, worker %.2f, PostgreSQL %.2f); PENDING -> CONFIRMED at half rate: %s; "
                        + "sustained saga / peer = %.2f, CPU per confirmed saga (every process) / peer = %.2f",
                        GruelboxPeer.DELIVERY_THREADS, peer.accepted(), peer.sustained(), peer.cpuPerConfirmed(), peer.api(),
                        peer.worker(), peer.postgres(), peer.confirm(), sustained / peer.sustained(),
                        cpuPerConfirmedAll / peer.cpuPerConfirmed());
            }
            System.out.println(String.format(java.util.Locale.ROOT, "RESULT peer accepted_per_s=%.0f sustained_confirmed_per_s=%.0f"
                    + " cpu_ms_per_confirmed=%.2f sustained_saga_over_peer=%.3f",
                    peer == null ? Double.NaN : peer.accepted(), peer == null ? Double.NaN : peer.sustained(),
                    peer == null ? Double.NaN : peer.cpuPerConfirmed(), peer == null ? Double.NaN : sustained / peer.sustained()));
            System.out.println(String.format(java.util.Locale.ROOT, "RESULT saga accepted_per_s=%.0f sustained_confirmed_per_s=%.0f"
                    + " cpu_ms_per_confirmed=%.2f cpu_ms_per_confirmed_all=%.2f pgbench_tps=%.0f accepted_over_pgbench=%.3f sustained_over_pgbench=%.3f"
                    + " half_rate_accept_p99_ms=%.1f half_rate_confirm=\"%s\" start_s_api=%s start_s_worker=%s rss_mb_api=%d rss_mb_worker=%d",
                    max.rate(), sustained, cpuPerConfirmed, cpuPerConfirmedAll, tps, tps > 0 ? max.rate() / tps : Double.NaN,
                    tps > 0 ? sustained / tps : Double.NaN, h.p(99), confirm, startedIn(stack.api), startedIn(stack.worker),
                    rssApi, rssWorker));
        } finally {
            stack.close();
            vertx.close();
        }
    }

    /** What the peer did under the same load. */
    private record Peer(double accepted, double sustained, double cpuPerConfirmed, double api, double worker, double postgres,
            String confirm) {
    }

    /**
     * The same saga on gruelbox transaction-outbox ({@link GruelboxPeer}), on the same PostgreSQL (the
     * project's services stopped), under the same closed and open loops; null when it cannot run.
     */
    private Peer peer() throws Exception {
        if (Boolean.getBoolean("bench.no-peer")) {
            return null;
        }
        Path logs = Path.of(System.getProperty("project.root", "."), "target", "stack-logs", "bench-peer");
        Files.createDirectories(logs);
        try (PeerProcesses peer = new PeerProcesses(stack.postgres, logs)) {
            HttpClient peerClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(peer.apiPort).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
            Supplier<Future<Integer>> post = () -> {
                String body = "{\"customerId\":\"bench-" + ThreadLocalRandom.current().nextInt(customers.length)
                        + "\",\"sku\":\"bench-" + ThreadLocalRandom.current().nextInt(skus) + "\",\"quantity\":1}";
                return peerClient.request(HttpMethod.POST, "/orders")
                        .compose(req -> req.putHeader("Content-Type", "application/json").send(Buffer.buffer(body)))
                        .compose(resp -> resp.body().map(b -> resp.statusCode()));
            };
            Load load = new Load(vertx);
            load.closedLoop(concurrency, Duration.ofSeconds(warmup), post, status -> status == 202);
            awaitPeerBacklog(Duration.ofSeconds(60));
            long start = dbNow();
            long[] before = peerTicks(peer);
            Result max = load.closedLoop(concurrency, Duration.ofSeconds(seconds), post, status -> status == 202);
            awaitPeerBacklog(Duration.ofSeconds(120));
            long[] drained = peerTicks(peer);
            double sustained = max.ok() / ((dbNow() - start) / 1e6);
            double api = perOrder(before, drained, 0, max);
            double worker = perOrder(before, drained, 1, max);
            double postgres = perOrder(before, drained, 2, max);
            long halfStart = dbNow();
            new Load(vertx).openLoop(max.rate() / 2, Duration.ofSeconds(seconds), post, status -> status == 202);
            awaitPeerBacklog(Duration.ofSeconds(120));
            String confirm = percentiles("peer_orders", "SELECT extract(epoch FROM updated_at - created_at) * 1000 AS ms "
                    + "FROM peer_orders WHERE status = 'CONFIRMED' AND created_at >= to_timestamp(? / 1000000.0)", halfStart);
            peerClient.close();
            return new Peer(max.rate(), sustained, api + worker + postgres, api, worker, postgres, confirm);
        } catch (IOException | RuntimeException e) {
            report("peer not measured: %s", e);
            return null;
        }
    }

    private void awaitPeerBacklog(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            long pending = stack.postgres.number("peer_orders", "SELECT count(*) FROM peer_orders WHERE status = 'PENDING'")
                    + stack.postgres.number("peer_orders", "SELECT count(*) FROM txno_outbox WHERE NOT processed")
                    + stack.postgres.number("peer_stock", "SELECT count(*) FROM txno_outbox WHERE NOT processed");
            if (pending == 0) {
                return;
            }
            Thread.sleep(200);
        }
        report("WARNING: peer backlog not drained within %s", within);
    }

    /** CPU ticks of the peer's api and worker and of every postgres process. */
    private long[] peerTicks(PeerProcesses peer) throws IOException {
        return new long[] { ProcessCpu.ticks(peer.api.pid()), ProcessCpu.ticks(peer.worker.pid()), ProcessCpu.ticksOfEvery("postgres") };
    }

    private static void report(String format, Object... args) {
        System.out.println("BENCH " + String.format(format, args));
    }

    // ---- load ----

    /** Bearer tokens of the benchmark's 1,000 customers, minted once. */
    private final String[] customers = new String[1000];

    private Future<Integer> post() {
        int customer = ThreadLocalRandom.current().nextInt(customers.length);
        if (customers[customer] == null) {
            customers[customer] = stack.customer("bench-" + customer);
        }
        String authorization = customers[customer];
        String body = "{\"items\":[{\"sku\":\"bench-" + ThreadLocalRandom.current().nextInt(skus)
                + "\",\"quantity\":1}]}";
        return client.request(HttpMethod.POST, "/orders")
                .compose(req -> req.putHeader("Content-Type", "application/json").putHeader("Authorization", authorization)
                        .send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    private Result closedLoop(Duration duration) throws Exception {
        return new Load(vertx).closedLoop(concurrency, duration, this::post, status -> status == 202);
    }

    private Result openLoop(double rate, Duration duration) throws Exception {
        return new Load(vertx).openLoop(rate, duration, this::post, status -> status == 202);
    }

    // ---- measurements from the databases and the processes ----

    private void setStock(String sku) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(stack.worker.url() + "/stock/" + sku))
                .header("Authorization", stack.bearer()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"available\":1000000000}")).build();
        http.send(request, HttpResponse.BodyHandlers.discarding());
    }

    private long dbNow() {
        return stack.postgres.number("orders", "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
    }

    private String lag(long sinceMicros) {
        return percentiles("orders", "SELECT extract(epoch FROM sent_at - created_at) * 1000 AS ms FROM outbox "
                + "WHERE status = 'sent' AND created_at >= to_timestamp(? / 1000000.0)", sinceMicros);
    }

    private String confirmLatency(long sinceMicros) {
        return percentiles("orders", "SELECT extract(epoch FROM updated_at - created_at) * 1000 AS ms FROM orders "
                + "WHERE status = 'CONFIRMED' AND created_at >= to_timestamp(? / 1000000.0)", sinceMicros);
    }

    private String percentiles(String db, String sql, long since) {
        var rows = stack.postgres.query(db, "SELECT count(*) AS n, "
                + "percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, "
                + "percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99 FROM (" + sql + ") t", since);
        Map<String, Object> r = rows.get(0);
        return String.format("n %s, p50 %.1f ms, p99 %.1f ms", r.get("n"), toDouble(r.get("p50")), toDouble(r.get("p99")));
    }

    private static double toDouble(Object o) {
        return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    private void awaitBacklog(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            long api = stack.postgres.number("orders", "SELECT count(*) FROM outbox WHERE status <> 'sent'");
            long worker = stack.postgres.number("stock", "SELECT count(*) FROM outbox WHERE status <> 'sent'");
            long pending = stack.postgres.number("orders", "SELECT count(*) FROM orders WHERE status = 'PENDING'");
            if (api + worker + pending == 0) {
                return;
            }
            Thread.sleep(200);
        }
        report("WARNING: backlog not drained within %s", within);
    }

    /** Samples the api's unsent outbox rows each second: first, max and last value. */
    private final class BacklogSampler {
        private final List<Long> samples = new ArrayList<>();
        private Thread thread;
        private volatile boolean running = true;

        BacklogSampler start() {
            thread = new Thread(() -> {
                while (running) {
                    samples.add(stack.postgres.number("orders", "SELECT count(*) FROM outbox WHERE status <> 'sent'"));
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            thread.start();
            return this;
        }

        long[] stop() throws InterruptedException {
            running = false;
            thread.join();
            long max = samples.stream().mapToLong(Long::longValue).max().orElse(0);
            return new long[] { samples.get(0), max, samples.get(samples.size() - 1) };
        }
    }

    /** CPU ticks (user + system) of api, worker, every postgres process, this JVM, the gateway and every redis-server. */
    private long[] cpuTicks() throws IOException {
        return new long[] { ProcessCpu.ticks(stack.api.pid()), ProcessCpu.ticks(stack.worker.pid()), ProcessCpu.ticksOfEvery("postgres"),
                ProcessCpu.ticks(ProcessHandle.current().pid()), ProcessCpu.ticks(stack.gateway.pid()), ProcessCpu.ticksOfEvery("redis-server") };
    }

    private static double cores(long[] before, long[] after, int i, Result r) {
        return (after[i] - before[i]) / 100.0 / r.seconds();
    }

    private static double perOrder(long[] before, long[] after, int i, Result r) {
        return (after[i] - before[i]) * 10.0 / r.ok();
    }

    private static String startedIn(ServiceProcess process) throws IOException {
        Matcher m = STARTED.matcher(Files.readString(process.logFile()));
        return m.find() ? m.group(1) : "?";
    }

    private static long rssMb(ServiceProcess process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** The api's write transaction (order + sequence + outbox row) as a pgbench script. */
    private double pgbench() throws Exception {
        Path script = Files.createTempFile("order-outbox", ".sql");
        // Exactly what the api commits when it accepts an order (OrderService.create): the order row,
        // then ReserveStock to the worker and OrderChanged to the replica, each drawing its
        // per-aggregate sequence number (the order's, and the customer's) in the same transaction.
        Files.writeString(script, """
                \\set n random(1, 9000000000000000)
                \\set c random(1, 1000)
                BEGIN;
                INSERT INTO orders (id, customer_id, status, version, items, idempotency_key, request_hash) VALUES (md5(:n::text)::uuid, 'pgbench-' || :c, 'PENDING', 1, '[{"sku":"bench-1","quantity":1}]', NULL, md5(:n::text)) ON CONFLICT (customer_id, idempotency_key) DO NOTHING RETURNING id, customer_id, status, version, items, reason, created_at, updated_at;
                WITH seq AS (INSERT INTO outbox_sequence (destination, aggregate_id, last_seq) VALUES ('worker', md5(:n::text)::uuid::text, 1) ON CONFLICT (destination, aggregate_id) DO UPDATE SET last_seq = outbox_sequence.last_seq + 1 RETURNING last_seq) INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id, traceparent, status, claimed_by, attempts, next_attempt_at) SELECT md5(:n::text || 'w')::uuid, 'worker', 'ReserveStock', md5(:n::text)::uuid::text, seq.last_seq, '{"orderId":"00000000-0000-0000-0000-000000000000","items":[{"sku":"bench-1","quantity":1}]}', 'r', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', 'in_flight', 'pgbench', 1, now() + 30000 * interval '1 millisecond' FROM seq RETURNING id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id, traceparent, status, attempts, created_at;
                WITH seq AS (INSERT INTO outbox_sequence (destination, aggregate_id, last_seq) VALUES ('replica', 'pgbench-' || :c, 1) ON CONFLICT (destination, aggregate_id) DO UPDATE SET last_seq = outbox_sequence.last_seq + 1 RETURNING last_seq) INSERT INTO outbox (id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id, traceparent, status, claimed_by, attempts, next_attempt_at) SELECT md5(:n::text || 'r')::uuid, 'replica', 'OrderChanged', 'pgbench-' || :c, seq.last_seq, '{"order":{"id":"00000000-0000-0000-0000-000000000000","customerId":"c","status":"PENDING","version":1,"items":[{"sku":"bench-1","quantity":1}]}}', 'r', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', 'in_flight', 'pgbench', 1, now() + 30000 * interval '1 millisecond' FROM seq RETURNING id, destination, message_type, aggregate_id, aggregate_seq, payload, request_id, traceparent, status, attempts, created_at;
                COMMIT;
                """);
        List<String> command = List.of("pgbench", "-n", "-h", "127.0.0.1", "-p", String.valueOf(stack.postgres.port()),
                "-U", "postgres", "-c", String.valueOf(concurrency), "-j", "2", "-T", String.valueOf(seconds),
                "-M", "prepared", "-f", script.toString(), "orders");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            report("pgbench not found (apt-get install postgresql-client): ceiling not measured");
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Files.deleteIfExists(script);
        Matcher m = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        if (!m.find()) {
            report("pgbench failed: %s", out);
            return -1;
        }
        return Double.parseDouble(m.group(1));
    }
}
