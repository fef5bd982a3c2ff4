package dev.ordersaga.gateway.node;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis node of the replica set, reached over a few pipelined {@link NodeLink}s. Every command
 * passes this node's circuit breaker (SmallRye Fault Tolerance), so a node that keeps failing is
 * skipped until the breaker lets a trial call through; a command without an answer within the node
 * timeout fails, and its connection is replaced (see {@link NodeLink}).
 */
public final class ReplicaNode {

    private static final Logger LOG = Logger.getLogger(ReplicaNode.class);
    private static final int BULK_TIMEOUT_FACTOR = 10;

    /** Prefix of the keys that hold values. */
    public static final String KV = "kv:";
    /** Prefix of the hashes that hold hints, followed by the URL of the node they are for. */
    public static final String HINTS = "hints:";

    private final int index;
    private final String url;
    private final Redis client;
    /** Commands larger than this go to the bulk link, so they never hold up small ones. */
    static final int BULK_BYTES = 64 * 1024;

    private final List<NodeLink> links = new ArrayList<>();
    /** Pipelined connection for large commands, with a longer timeout ({@value #BULK_TIMEOUT_FACTOR} node timeouts). */
    private final NodeLink bulk;
    private final AtomicInteger next = new AtomicInteger();
    private final TypedGuard<CompletionStage<Response>> guard;
    private final HintDrops drops = new HintDrops(this);
    private final Timer latency;
    private final AtomicReference<CircuitBreakerState> breaker = new AtomicReference<>(CircuitBreakerState.CLOSED);
    private final AtomicLong lastOk = new AtomicLong();
    private final AtomicLong lastFailure = new AtomicLong();
    private final AtomicReference<Boolean> up = new AtomicReference<>();
    private final long timeoutNanos;
    /** Whether a new Redis process gets a new actor id (always, but for the history test's negative control). */
    private final boolean newActorOnRestart;
    /** How long after it is sent a join may still be applied (half the tombstone grace). */
    private final long joinWindowMicros;
    /** This node's clock minus ours, in microseconds, as measured with TIME, and how far off it may be (half the round trip). */
    private volatile long clockOffsetMicros;
    private volatile long clockUncertaintyMicros = Long.MAX_VALUE;

    ReplicaNode(int index, String url, Redis client, int connections, long timeoutMillis, long breakerDelayMillis,
            long joinWindowMillis, boolean newActorOnRestart, MeterRegistry registry) {
        this.newActorOnRestart = newActorOnRestart;
        this.joinWindowMicros = TimeUnit.MILLISECONDS.toMicros(joinWindowMillis);
        this.index = index;
        this.url = url;
        this.client = client;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (int i = 0; i < connections; i++) {
            links.add(new NodeLink(url, client, timeoutNanos, this::prepare));
        }
        this.bulk = new NodeLink(url, client, timeoutNanos * BULK_TIMEOUT_FACTOR, this::prepare);
        this.latency = Timer.builder("gateway.node.latency").tag("node", url).publishPercentiles(0.5, 0.99)
                .register(registry);
        this.guard = TypedGuard.create(new TypeLiteral<CompletionStage<Response>>() {
        })
                .withDescription("redis node " + url)
                .withCircuitBreaker().requestVolumeThreshold(4).failureRatio(0.5)
                .delay(breakerDelayMillis, ChronoUnit.MILLIS).successThreshold(1)
                .name("redis-node-" + index)
                .onStateChange(this::breakerChanged)
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

    /** Whether the last command to this node succeeded. */
    public boolean reachable() {
        return lastOk.get() >= lastFailure.get() && lastOk.get() > 0;
    }

    public Timer latency() {
        return latency;
    }

    /**
     * Accepts a new write here (this node draws its dot), and keeps the new state as a hint for each of
     * {@code others} (node URLs) until they have taken it: see {@code lua/write.lua}.
     */
    public CompletionStage<Response> write(String key, int leaves, int bucket, Buffer context, Buffer value, String contentType,
            boolean deleted, long acceptedAt, String writer, int maxSiblings, long maxBytes, List<String> others) {
        Request r = script(Scripts.WRITE, 5 + others.size())
                .arg(ReplicaNode.KV + key).arg(tree(leaves)).arg(members(leaves, bucket)).arg("gw:actor").arg("gw:counter");
        others.forEach(other -> r.arg(HINTS + other));
        r.arg(key).arg(bucket).arg(UUID.randomUUID().toString()).arg(context).arg(value).arg(contentType)
                .arg(deleted ? "1" : "0").arg(acceptedAt).arg(writer).arg(maxSiblings).arg(maxBytes)
                .arg(deadlineMicros(value.length() + context.length() > BULK_BYTES));
        return run(r, Scripts.WRITE, value.length() + context.length()).thenApply(res -> {
            if ("late".equals(res.get(0).toString())) {
                throw NodeFailure.late(url);
            }
            return res;
        });
    }

    /**
     * The latest time, on this node's clock, at which it may still apply a write sent now:
     * half the node timeout from now, less what the clock offset may be wrong by, so that a command
     * applied in time is answered before the gateway gives up, and one that arrives later is refused.
     * Every connection measures the clock before it carries a command (see {@link #prepare}), so the
     * rule holds from the first request; with a round trip so slow that the offset may be off by half
     * the timeout, every such command is refused as late (the gateway asks another node).
     */
    private long deadlineMicros(boolean large) {
        long timeout = TimeUnit.NANOSECONDS.toMicros(timeoutNanos) * (large ? BULK_TIMEOUT_FACTOR : 1);
        long uncertainty = Math.min(clockUncertaintyMicros, timeout);
        return Math.max(1, System.currentTimeMillis() * 1000 + clockOffsetMicros + timeout / 2 - uncertainty);
    }

    /** Measures this node's clock again (every few seconds), keeping the more precise measurement: see {@link #measureClock}. */
    void syncClock() {
        long before = System.currentTimeMillis() * 1000;
        call(Request.cmd(Command.TIME)).thenAccept(time -> measureClock(before, time));
    }

    /**
     * Readies a new connection before it carries a command: measures the node's clock (TIME, halfway
     * through the round trip) and, when the node's Redis process is not the one that last wrote its
     * actor id (a restart, which may have lost the tail of its data and with it its counter), gives the
     * node a new actor id, so no dot is ever drawn twice ({@code lua/incarnation.lua}).
     */
    private Future<Void> prepare(RedisConnection conn) {
        long[] before = new long[1];
        return conn.send(Request.cmd(Command.INFO).arg("server"))
                .compose(info -> conn.send(Request.cmd(Command.EVALSHA).arg(Scripts.INCARNATION.sha).arg(2)
                        .arg("gw:incarnation").arg("gw:actor")
                        .arg(newActorOnRestart ? runId(info.toString()) : "kept").arg(UUID.randomUUID().toString())))
                .compose(rotated -> {
                    if (rotated.toLong() == 1L) {
                        LOG.infof("redis node %s: a new Redis process; its writes now draw dots under a new actor id", url);
                    }
                    before[0] = System.currentTimeMillis() * 1000;
                    return conn.send(Request.cmd(Command.TIME));
                })
                .map(time -> {
                    measureClock(before[0], time);
                    return null;
                });
    }

    /** Keeps a measurement of the node's clock when it is the first or no less precise than the one held. */
    private void measureClock(long beforeMicros, Response time) {
        long after = System.currentTimeMillis() * 1000;
        long node = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
        long uncertainty = Math.max(0, (after - beforeMicros) / 2);
        if (uncertainty <= clockUncertaintyMicros || uncertainty < TimeUnit.NANOSECONDS.toMicros(timeoutNanos) / 8) {
            clockOffsetMicros = node - (beforeMicros + after) / 2;
            clockUncertaintyMicros = uncertainty;
        }
    }

    private static String runId(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("run_id:")) {
                return line.substring("run_id:".length()).trim();
            }
        }
        throw new IllegalStateException("INFO server names no run_id");
    }

    /**
     * Joins a state into this node's copy of a key; true when it changed. A join that reaches the node
     * more than half the tombstone grace after it was sent (a paused node, say) is refused
     * ({@link NodeFailure#late}): an older state must not land after a delete's tombstone was removed.
     */
    public CompletionStage<Boolean> join(String key, int leaves, int bucket, Buffer state) {
        long deadline = System.currentTimeMillis() * 1000 + clockOffsetMicros + joinWindowMicros;
        Request r = script(Scripts.JOIN, 3).arg(KV + key).arg(tree(leaves)).arg(members(leaves, bucket))
                .arg("kv").arg(state).arg(key).arg(bucket).arg(deadline);
        return run(r, Scripts.JOIN, state.length()).thenApply(res -> {
            if (res.toLong() < 0) {
                throw NodeFailure.late(url);
            }
            return res.toLong() == 1L;
        });
    }

    /**
     * Joins the states of several keys into this node in one call (a page of replayed hints), each as
     * {@link #join} would; returns how many changed. Refused as a whole when it arrives late.
     */
    public Uni<Long> joinAll(int leaves, List<String> keys, List<Integer> buckets, List<Buffer> states) {
        long deadline = System.currentTimeMillis() * 1000 + clockOffsetMicros + joinWindowMicros;
        Request r = script(Scripts.JOIN_MANY, 1 + 2 * keys.size()).arg(tree(leaves));
        int bytes = 0;
        for (int i = 0; i < keys.size(); i++) {
            r.arg(KV + keys.get(i)).arg(members(leaves, buckets.get(i)));
        }
        r.arg(deadline);
        for (int i = 0; i < keys.size(); i++) {
            r.arg(keys.get(i)).arg(buckets.get(i)).arg(states.get(i));
            bytes += states.get(i).length();
        }
        int size = bytes;
        return Stages.uni(() -> run(r, Scripts.JOIN_MANY, size).thenApply(res -> {
            if (res.toLong() < 0) {
                throw NodeFailure.late(url);
            }
            return res.toLong();
        }));
    }

    /** Drops this node's hints of {@code keys} for {@code target} that still hold the given states; returns how many. */
    public Uni<Long> dropHintsOf(String target, List<String> keys, List<Buffer> states) {
        Request r = script(Scripts.DROP_HINTS, 1).arg(HINTS + target);
        int bytes = 0;
        for (int i = 0; i < keys.size(); i++) {
            r.arg(keys.get(i)).arg(states.get(i)).arg(1).arg(1);
            bytes += states.get(i).length();
        }
        int size = bytes;
        return Stages.uni(() -> run(r, Scripts.DROP_HINTS, size).thenApply(Response::toLong));
    }

    /** Joins a state into the hint this node keeps of {@code key} for {@code target}. */
    public Uni<Boolean> joinHint(String target, String key, Buffer state) {
        Request r = script(Scripts.JOIN, 1).arg(HINTS + target).arg("hint").arg(state).arg(key);
        return Stages.uni(() -> run(r, Scripts.JOIN, state.length()).thenApply(res -> res.toLong() == 1L));
    }

    /**
     * Drops, soon, the hints of {@code key} this node kept for each of {@code targets} (node URLs)
     * while they still hold {@code state}: sent together with the drops of other writes, see {@link HintDrops}.
     */
    public void dropHintsSoon(List<String> targets, String key, Buffer state) {
        drops.add(new HintDrops.Drop(key, state, targets));
    }

    /** Drops the hints of several writes in one call; returns how many. */
    CompletionStage<Long> dropHints(List<HintDrops.Drop> batch) {
        List<String> targets = new ArrayList<>();
        for (HintDrops.Drop d : batch) {
            d.targets().stream().filter(t -> !targets.contains(t)).forEach(targets::add);
        }
        Request r = script(Scripts.DROP_HINTS, targets.size());
        targets.forEach(t -> r.arg(HINTS + t));
        int bytes = 0;
        for (HintDrops.Drop d : batch) {
            r.arg(d.key()).arg(d.state()).arg(d.targets().size());
            d.targets().forEach(t -> r.arg(targets.indexOf(t) + 1));
            bytes += d.state().length();
        }
        return run(r, Scripts.DROP_HINTS, bytes).thenApply(Response::toLong);
    }

    /** Whether this node keeps a hint of {@code key} for any of {@code targets}. */
    public Uni<Boolean> hasHint(List<String> targets, String key) {
        Request r = script(Scripts.HAS_HINT, targets.size());
        targets.forEach(t -> r.arg(HINTS + t));
        r.arg(key);
        return Stages.uni(() -> run(r, Scripts.HAS_HINT, 0).thenApply(res -> res.toLong() == 1L));
    }

    /** Removes a key that holds only {@code expected} (a lone tombstone). */
    public Uni<Boolean> reap(String key, int leaves, int bucket, Buffer expected) {
        Request r = script(Scripts.REAP, 3).arg(KV + key).arg(tree(leaves)).arg(members(leaves, bucket))
                .arg(expected).arg(key).arg(bucket);
        return Stages.uni(() -> run(r, Scripts.REAP, expected.length()).thenApply(res -> res.toLong() == 1L));
    }

    /** Adds keys (with their buckets) to the Merkle index; returns how many exist. */
    public Uni<Long> index(int leaves, List<String> keys, List<Integer> buckets) {
        Request r = script(Scripts.INDEX, 1 + 2 * keys.size()).arg(tree(leaves));
        for (int i = 0; i < keys.size(); i++) {
            r.arg(KV + keys.get(i)).arg(members(leaves, buckets.get(i)));
        }
        for (int i = 0; i < keys.size(); i++) {
            r.arg(keys.get(i)).arg(buckets.get(i));
        }
        return Stages.uni(() -> run(r, Scripts.INDEX, 0).thenApply(Response::toLong));
    }

    /** A key's stored state, or null when absent. */
    public CompletionStage<Buffer> get(String key) {
        return call(Request.cmd(Command.GET).arg(KV + key)).thenApply(r -> r == null ? null : r.toBuffer());
    }

    /** Several keys' states (null where absent). */
    public Uni<List<Buffer>> mget(List<String> keys) {
        Request r = Request.cmd(Command.MGET);
        keys.forEach(k -> r.arg(KV + k));
        NodeLink link = keys.size() > 16 ? bulk : link(0);
        return Stages.uni(() -> guarded(() -> link.send(r)).thenApply(res -> {
            List<Buffer> out = new ArrayList<>(res.size());
            for (Response v : res) {
                out.add(v == null ? null : v.toBuffer());
            }
            return out;
        }));
    }

    /** Any command (SCAN, HSCAN, HGETALL, HKEYS, HLEN, GET, SET...). */
    public Uni<Response> command(Command command, Object... args) {
        Request r = Request.cmd(command);
        for (Object a : args) {
            if (a instanceof Buffer b) {
                r.arg(b);
            } else {
                r.arg(String.valueOf(a));
            }
        }
        return Stages.uni(() -> call(r));
    }

    /** The hash of Merkle leaves of this node for {@code leaves} buckets. */
    public static String tree(int leaves) {
        return "mt:" + leaves;
    }

    /** The hash of the keys (and their digests) of one bucket. */
    public static String members(int leaves, int bucket) {
        return "mb:" + leaves + ":" + bucket;
    }

    private static Request script(Scripts script, int keys) {
        return Request.cmd(Command.EVALSHA).arg(script.sha).arg(keys);
    }

    /**
     * EVALSHA. Every connection loads the scripts when it opens; should a node still not have one
     * (its scripts were flushed), it is loaded and the call made again, within the same guarded call.
     */
    private CompletionStage<Response> run(Request evalsha, Scripts script, int bytes) {
        NodeLink link = link(bytes);
        return guarded(() -> link.send(evalsha).recover(f -> String.valueOf(f.getMessage()).startsWith("NOSCRIPT")
                ? link.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source)).compose(loaded -> link.send(evalsha))
                : Future.failedFuture(f)));
    }

    private NodeLink link(int bytes) {
        return bytes > BULK_BYTES ? bulk : links.get(Math.floorMod(next.getAndIncrement(), links.size()));
    }

    private CompletionStage<Response> call(Request request) {
        NodeLink link = link(0);
        return guarded(() -> link.send(request));
    }

    /**
     * Sends through this node's breaker. The breaker guards plain completion stages, so a node call
     * costs no conversion between future types; the stage completes on the connection's event loop.
     */
    private CompletionStage<Response> guarded(Supplier<Future<Response>> send) {
        long start = System.nanoTime();
        CompletionStage<Response> sent;
        try {
            sent = guard.get(() -> send.get().toCompletionStage());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.whenComplete((ok, failure) -> {
            if (failure == null) {
                lastOk.set(System.nanoTime());
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                changed(true, null);
            } else {
                lastFailure.set(System.nanoTime());
                changed(false, Stages.unwrap(failure));
            }
        });
    }

    /** Closes connections whose oldest command has waited past the node timeout. */
    void sweep(long now) {
        links.forEach(l -> l.sweep(now));
        bulk.sweep(now);
    }

    private void changed(boolean nowUp, Throwable cause) {
        Boolean before = up.getAndSet(nowUp);
        if (before == null || before != nowUp) {
            if (nowUp) {
                LOG.infof("redis node %s is up", url);
            } else if (!(cause instanceof CircuitBreakerOpenException)) {
                LOG.warnf("redis node %s is down: %s", url, cause);
            }
        }
    }

    private void breakerChanged(CircuitBreakerState state) {
        CircuitBreakerState before = breaker.getAndSet(state);
        if (before != state) {
            LOG.infof("circuit breaker of redis node %s: %s -> %s", url, before, state);
        }
    }

    void close() {
        links.forEach(NodeLink::close);
        bulk.close();
        client.close();
    }
}
