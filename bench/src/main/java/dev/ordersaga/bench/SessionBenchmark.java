package dev.ordersaga.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.json.JsonObject;

import dev.ordersaga.stack.OrderStack;

/**
 * Session reads against a lagging replica: for each replica lag (REPLICA_LAG_MS 0, 50, 500) and each
 * read preference (auto, primary, replica), {@code bench.sessions} sessions each run a closed loop with
 * {@code bench.think-ms} think time: 10% writes (POST /orders for the session's customer), 90% reads of
 * one of its five newest orders with its token. Reports read latency p50/p99 and, for auto, the share
 * of reads the replica served. Each preference is warmed up first (JIT; {@code bench.warmup} seconds each),
 * then one request at a time is timed against the gateway and each read ({@code bench.sequential}), then
 * the preferences are measured in the order {@code bench.reads} gives.
 *
 * <p>{@code ./mvnw -B -q -pl bench exec:java -Dexec.mainClass=dev.ordersaga.bench.SessionBenchmark}
 */
public final class SessionBenchmark {

    private final int sessions = Integer.getInteger("bench.sessions", 16);
    private final int thinkMs = Integer.getInteger("bench.think-ms", 50);
    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int warmup = Integer.getInteger("bench.warmup", 20);
    private final int writePercent = Integer.getInteger("bench.write-percent", 10);
    private final int sequential = Integer.getInteger("bench.sequential", 2000);
    private final String[] readOrder = System.getProperty("bench.reads", "replica,auto,primary").split(",");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        new SessionBenchmark().run(args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] { 0, 50, 500 });
        System.exit(0);
    }

    record Phase(int lag, String read, long[] micros, long fromReplica, long reads, long writes, long errors) {
        double p(double q) {
            if (micros.length == 0) {
                return Double.NaN;
            }
            return micros[Math.max(0, (int) Math.ceil(q / 100 * micros.length) - 1)] / 1000.0;
        }
    }

    private void run(int[] lags) throws Exception {
        List<Phase> phases = new ArrayList<>();
        for (int lag : lags) {
            OrderStack.Builder builder = OrderStack.builder("session-bench-" + lag).direct();
            for (String setting : System.getProperty("bench.api-env", "").split(",")) {
                // -Dbench.api-env=NAME=VALUE,...: settings of the api to compare
                if (setting.contains("=")) {
                    builder.apiEnv(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
                }
            }
            try (OrderStack stack = builder
                    .apiEnv("REPLICA_LAG_MS", String.valueOf(lag))
                    .apiEnv("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                    .workerEnv("QUARKUS_LOG_CATEGORY__DEV_ORDERSAGA__LEVEL", "WARN")
                    .build()) {
                stack.api.fastStart(false);
                stack.worker.fastStart(false);
                stack.gateway.fastStart(false);
                String jfr = System.getProperty("bench.jfr");
                if (jfr != null) {
                    // -Dbench.jfr=DIR: a JFR profile of the api and the gateway (DIR/<service>-<lag>.jfr, written when it stops)
                    stack.api.jvmArg("-XX:StartFlightRecording=filename=" + jfr + "/api-" + lag + ".jfr,settings=profile,dumponexit=true");
                    stack.gateway.jvmArg("-XX:StartFlightRecording=filename=" + jfr + "/gateway-" + lag + ".jfr,settings=profile,dumponexit=true");
                }
                stack.start();
                put(stack.worker.url() + "/stock/bench", "{\"available\":100000000}", stack.bearer());
                for (String read : readOrder) {
                    phase(stack, lag, read, warmup);
                }
                if (sequential > 0) {
                    sequential(stack);
                }
                for (String read : readOrder) {
                    Phase p = phase(stack, lag, read, seconds);
                    phases.add(p);
                    System.out.printf("lag %4d ms  read=%-7s  reads %6d  p50 %6.2f ms  p99 %7.2f ms  replica served %5.1f%%  (writes %d, errors %d)%n",
                            lag, read, p.reads(), p.p(50), p.p(99), 100.0 * p.fromReplica() / Math.max(1, p.reads()),
                            p.writes(), p.errors());
                }
            }
        }
        System.out.println();
        System.out.println("| replica lag | read | reads | p50 (ms) | p99 (ms) | served by the replica |");
        System.out.println("|---|---|---|---|---|---|");
        for (Phase p : phases) {
            System.out.printf("| %d ms | %s | %d | %.2f | %.2f | %.1f%% |%n", p.lag(), p.read(), p.reads(), p.p(50), p.p(99),
                    100.0 * p.fromReplica() / Math.max(1, p.reads()));
        }
        for (int lag : lags) {
            if (phases.stream().filter(p -> p.lag() == lag).count() < 3) {
                continue;
            }
            Phase auto = phases.stream().filter(p -> p.lag() == lag && p.read().equals("auto")).findFirst().orElseThrow();
            Phase replica = phases.stream().filter(p -> p.lag() == lag && p.read().equals("replica")).findFirst().orElseThrow();
            System.out.printf("lag %d ms: auto p99 / replica p99 = %.2f%n", lag, auto.p(99) / replica.p(99));
        }
    }

    /**
     * One request at a time, nothing else running: the gateway's quorum GET of an order's replica
     * record, then the api's read of that order from the primary, the replica and auto, alternating
     * in rounds; p50 of each, so that a replica read's cost splits into its gateway call and the rest.
     */
    private void sequential(OrderStack stack) throws Exception {
        String authorization = stack.customer("bench-sequential");
        var created = send(stack.api.url() + "/orders",
                "{\"items\":[{\"sku\":\"bench\",\"quantity\":1}]}", new String[1], authorization);
        String id = new JsonObject(created.body()).getString("id");
        String[][] targets = {
            { "gateway GET (r=quorum)", stack.gateway.url() + "/kv/order:" + id + "?r=quorum", stack.bearer() },
            { "api read=primary", stack.api.url() + "/orders/" + id + "?read=primary", authorization },
            { "api read=replica", stack.api.url() + "/orders/" + id + "?read=replica", authorization },
            { "api read=auto", stack.api.url() + "/orders/" + id + "?read=auto", authorization },
        };
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (send(targets[0][1], null, new String[1], targets[0][2]).statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("order " + id + " never reached the replica");
            }
            Thread.sleep(20);
        }
        long[][] micros = new long[targets.length][];
        for (int t = 0; t < targets.length; t++) {
            micros[t] = new long[0];
        }
        for (int round = 0; round < 4; round++) {
            for (int t = 0; t < targets.length; t++) {
                long[] took = new long[sequential / 4];
                for (int i = 0; i < took.length; i++) {
                    long start = System.nanoTime();
                    var r = send(targets[t][1], null, new String[1], targets[t][2]);
                    took[i] = (System.nanoTime() - start) / 1000;
                    if (r == null || r.statusCode() != 200) {
                        throw new IllegalStateException(targets[t][0] + ": " + (r == null ? "no answer" : r.statusCode()));
                    }
                }
                if (round > 0) {
                    micros[t] = java.util.stream.LongStream.concat(Arrays.stream(micros[t]), Arrays.stream(took)).toArray();
                }
            }
        }
        for (int t = 0; t < targets.length; t++) {
            long[] sorted = Arrays.stream(micros[t]).sorted().toArray();
            System.out.printf("one at a time: %-24s p50 %6.3f ms  p90 %6.3f ms  (%d requests)%n", targets[t][0],
                    sorted[sorted.length / 2] / 1000.0, sorted[sorted.length * 9 / 10] / 1000.0, sorted.length);
        }
    }

    private Phase phase(OrderStack stack, int lag, String read, int durationSeconds) throws Exception {
        ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
        AtomicLong fromReplica = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int session = s;
            running.add(pool.submit(() -> {
                Random random = new Random(session * 31L + lag);
                String customer = "bench-" + lag + "-" + read + "-" + session;
                String authorization = stack.customer(customer);
                List<String> mine = new ArrayList<>();
                String[] token = { null };
                while (System.nanoTime() < end) {
                    if (mine.isEmpty() || random.nextInt(100) < writePercent) {
                        var r = send(stack.api.url() + "/orders", "{\"customerId\":\"" + customer
                                + "\",\"items\":[{\"sku\":\"bench\",\"quantity\":1}]}", token, authorization);
                        if (r != null && r.statusCode() == 202) {
                            mine.add(new JsonObject(r.body()).getString("id"));
                            writes.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    } else {
                        String id = mine.get(mine.size() - 1 - random.nextInt(Math.min(5, mine.size())));
                        long start = System.nanoTime();
                        var r = send(stack.api.url() + "/orders/" + id + "?read=" + read, null, token, authorization);
                        long took = (System.nanoTime() - start) / 1000;
                        if (r != null && r.statusCode() == 200) {
                            micros.add(took);
                            if ("replica".equals(r.headers().firstValue("X-Served-By").orElse(""))) {
                                fromReplica.incrementAndGet();
                            }
                        } else if (r != null && r.statusCode() == 404 && read.equals("replica")) {
                            micros.add(took);
                            fromReplica.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                    Thread.sleep(thinkMs);
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        pool.shutdown();
        long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Phase(lag, read, sorted, fromReplica.get(), sorted.length, writes.get(), errors.get());
    }

    private HttpResponse<String> send(String url, String body, String[] token, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization);
        if (token[0] != null) {
            b.header("X-Session-Token", token[0]);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("X-Session-Token").ifPresent(t -> token[0] = t);
            return r;
        } catch (Exception e) {
            return null;
        }
    }

    private void put(String url, String body, String bearer) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", bearer)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT " + url + ": " + r.statusCode() + " " + r.body());
        }
    }
}
