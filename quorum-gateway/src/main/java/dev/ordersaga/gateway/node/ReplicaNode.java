package dev.ordersaga.gateway.node;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.util.TypeLiteral;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;

/**
 * One Redis node of the replica set. Every call goes through this node's own guard (SmallRye
 * Fault Tolerance: a timeout and a circuit breaker), so a dead or slow node never holds a request
 * beyond the timeout, and a node that keeps failing is skipped until its breaker half-opens.
 */
public final class ReplicaNode {

    /** Prefix of the keys that hold values. */
    public static final String KV = "kv:";
    /** Prefix of the hashes that hold hints, followed by the URL of the node they are for. */
    public static final String HINTS = "hints:";

    private final int index;
    private final String url;
    private final Redis redis;
    private final RedisAPI api;
    private final TypedGuard<Uni<Response>> guard;
    private final Timer latency;
    private final AtomicReference<CircuitBreakerState> breaker = new AtomicReference<>(CircuitBreakerState.CLOSED);
    private final AtomicLong lastOk = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong();

    ReplicaNode(int index, String url, Redis redis, long timeoutMillis, long breakerDelayMillis,
            MeterRegistry registry) {
        this.index = index;
        this.url = url;
        this.redis = redis;
        this.api = RedisAPI.api(redis);
        this.latency = Timer.builder("gateway.node.latency").tag("node", url).publishPercentiles(0.5, 0.99)
                .register(registry);
        this.guard = TypedGuard.create(new TypeLiteral<Uni<Response>>() {
        })
                .withDescription("redis node " + url)
                .withTimeout().duration(timeoutMillis, ChronoUnit.MILLIS).done()
                .withCircuitBreaker().requestVolumeThreshold(4).failureRatio(0.5)
                .delay(breakerDelayMillis, ChronoUnit.MILLIS).successThreshold(1)
                .name("redis-node-" + index)
                .onStateChange(breaker::set)
                .done()
                .build();
    }

    public int index() {
        return index;
    }

    public String url() {
        return url;
    }

    public CircuitBreakerState breakerState() {
        return breaker.get();
    }

    /** Whether the last call to this node succeeded. */
    public boolean reachable() {
        return lastOk.get() >= lastFailure.get() && lastOk.get() > 0;
    }

    public Timer latency() {
        return latency;
    }

    /** Runs the merge script on a value key or a hint field; true when the node's data changed. */
    public Uni<Boolean> merge(String redisKey, String versionsJson, int maxSiblings, String field) {
        List<String> args = new ArrayList<>(List.of(Scripts.MERGE_SHA, "1", redisKey, versionsJson,
                String.valueOf(maxSiblings)));
        if (field != null) {
            args.add(field);
        }
        return call(() -> evalsha(args, Scripts.MERGE)).map(r -> r.toLong() == 1L);
    }

    /** The stored siblings of a key as JSON, or null when absent. */
    public Uni<String> get(String key) {
        return call(() -> api.get(KV + key)).map(r -> r == null ? null : r.toString());
    }

    /** Deletes a key or hash field only if it still holds {@code expected}. */
    public Uni<Boolean> deleteIfEqual(String redisKey, String expected, String field) {
        List<String> args = new ArrayList<>(List.of(Scripts.DELETE_IF_EQUAL_SHA, "1", redisKey, expected));
        if (field != null) {
            args.add(field);
        }
        return call(() -> evalsha(args, Scripts.DELETE_IF_EQUAL)).map(r -> r.toLong() == 1L);
    }

    /** One page of a hash scan: [cursor, field, value, field, value...]. */
    public Uni<Response> hscan(String hash, String cursor, int count) {
        return call(() -> api.hscan(List.of(hash, cursor, "COUNT", String.valueOf(count))));
    }

    public Uni<Long> hlen(String hash) {
        return call(() -> api.hlen(hash)).map(Response::toLong);
    }

    /** One page of a key scan over stored values: [cursor, [keys...]]. */
    public Uni<Response> scanValues(String cursor, int count) {
        return call(() -> api.scan(List.of(cursor, "MATCH", KV + "*", "COUNT", String.valueOf(count))));
    }

    public Uni<Response> mget(List<String> redisKeys) {
        return call(() -> api.mget(redisKeys));
    }

    /**
     * EVALSHA (40 bytes instead of the script); a node that does not know the script yet (new, or
     * restarted: scripts are not persisted) gets it once through EVAL.
     */
    private Uni<Response> evalsha(List<String> args, String script) {
        return api.evalsha(args)
                .onFailure(f -> String.valueOf(f.getMessage()).startsWith("NOSCRIPT"))
                .recoverWithUni(() -> {
                    List<String> withScript = new ArrayList<>(args);
                    withScript.set(0, script);
                    return api.eval(withScript);
                });
    }

    private Uni<Response> call(java.util.function.Supplier<Uni<Response>> command) {
        long start = System.nanoTime();
        return guard.get(() -> command.get())
                .invoke(ok -> {
                    lastOk.set(System.nanoTime());
                    latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                })
                .onFailure().invoke(f -> lastFailure.set(System.nanoTime()));
    }

    void close() {
        redis.close();
    }
}
