package dev.ordersaga.gateway.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;

/**
 * One long-lived connection to a node, on which commands are pipelined: many requests in flight,
 * answers in order. A command that has waited longer than the node timeout means the connection
 * cannot be trusted (the node hangs, or a cut killed it silently): {@link #sweep} closes it, which
 * fails every command still waiting on it, and the next command opens a new one. So a dead
 * connection costs at most one timeout, never the minutes TCP would take to notice.
 */
final class NodeLink {

    private static final Logger LOG = Logger.getLogger(NodeLink.class);
    /** How many timeouts the set-up of a connection (scripts, clock, incarnation) may take. */
    private static final int SET_UP_TIMEOUTS = 10;
    /** Whether commands sent in one event loop turn leave in one write ({@link FlushCoalescing}); off only to measure the difference. */
    static final boolean COALESCE_FLUSHES = !Boolean.getBoolean("ordersaga.node.flush-each-command");

    private final String url;
    private final Redis client;
    private final long timeoutNanos;
    private final Function<RedisConnection, Future<Void>> prepare;
    private final AtomicReference<Future<RedisConnection>> connection = new AtomicReference<>();
    /** The connection being set up, so that a set-up that outwaits the timeout can be failed. */
    private final AtomicReference<Promise<RedisConnection>> connecting = new AtomicReference<>();
    /** Set when the current connection was closed because a command outwaited the node timeout. */
    private final AtomicReference<boolean[]> timedOut = new AtomicReference<>(new boolean[1]);
    /** Send times (nanos) of the commands in flight on the current connection, oldest first. */
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();

    /**
     * A link whose every new connection loads the scripts and then runs {@code prepare} (the node's
     * clock and incarnation) before it carries any command.
     */
    NodeLink(String url, Redis client, long timeoutNanos, Function<RedisConnection, Future<Void>> prepare) {
        this.url = url;
        this.client = client;
        this.timeoutNanos = timeoutNanos;
        this.prepare = prepare;
    }

    /** Sends one command; fails when the connection cannot be had or dies before the answer. */
    Future<Response> send(Request request) {
        return connected().recover(e -> Future.failedFuture(NodeFailure.unreachable(url, e))).compose(conn -> {
            boolean[] generation = timedOut.get();
            long[] sent = { System.nanoTime() };
            synchronized (inFlight) {
                inFlight.addLast(sent);
            }
            return conn.send(request).andThen(answered -> done(sent))
                    .recover(e -> Future.failedFuture(generation[0] ? NodeFailure.timedOut(url) : e));
        });
    }

    private Future<RedisConnection> connected() {
        Future<RedisConnection> current = connection.get();
        if (current != null && !current.failed()) {
            return current;
        }
        Promise<RedisConnection> promise = Promise.promise();
        if (!connection.compareAndSet(current, promise.future())) {
            return connected();
        }
        connecting.set(promise);
        // The set-up counts as a command in flight: a node that accepts the connection and then hangs
        // is given up on (see sweep). It is a few round trips, so it may take SET_UP_TIMEOUTS timeouts.
        long[] setUp = { System.nanoTime() + (SET_UP_TIMEOUTS - 1) * timeoutNanos };
        synchronized (inFlight) {
            inFlight.addLast(setUp);
        }
        client.connect().compose(this::loadScripts).compose(this::prepared).onComplete(ar -> {
            done(setUp);
            if (ar.failed()) {
                promise.tryFail(ar.cause());
                return;
            }
            RedisConnection conn = ar.result();
            if (COALESCE_FLUSHES) {
                FlushCoalescing.install(conn);
            }
            if (!promise.tryComplete(conn)) {
                conn.close();
                return;
            }
            conn.exceptionHandler(e -> drop(promise.future(), "failed: " + e));
            conn.endHandler(v -> drop(promise.future(), "closed by the node"));
        });
        return promise.future();
    }

    private void done(long[] sent) {
        synchronized (inFlight) {
            sent[0] = 0;
            while (!inFlight.isEmpty() && inFlight.peekFirst()[0] == 0) {
                inFlight.pollFirst();
            }
        }
    }

    /** Makes sure the node has every script before the connection is used (a restarted node has none). */
    private Future<RedisConnection> loadScripts(RedisConnection conn) {
        List<Request> loads = new ArrayList<>();
        for (Scripts script : Scripts.values()) {
            loads.add(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source));
        }
        return conn.batch(loads).map(loaded -> conn).recover(e -> {
            conn.close();
            return Future.failedFuture(e);
        });
    }

    private Future<RedisConnection> prepared(RedisConnection conn) {
        return prepare.apply(conn).map(v -> conn).recover(e -> {
            conn.close();
            return Future.failedFuture(e);
        });
    }

    /**
     * Closes the connection if its oldest command has waited longer than the link's timeout.
     * Called periodically; cheap when nothing waits.
     */
    void sweep(long now) {
        long oldest;
        synchronized (inFlight) {
            long[] head = inFlight.peekFirst();
            oldest = head == null ? 0 : head[0];
        }
        if (oldest != 0 && now - oldest > timeoutNanos) {
            Future<RedisConnection> current = connection.get();
            if (current != null && connection.get() == current) {
                timedOut.getAndSet(new boolean[1])[0] = true;
                drop(current, "no answer within the node timeout");
            }
        }
    }

    private void drop(Future<RedisConnection> which, String why) {
        if (!connection.compareAndSet(which, null)) {
            return;
        }
        synchronized (inFlight) {
            inFlight.clear();
        }
        Promise<RedisConnection> setUp = connecting.get();
        if (setUp != null && setUp.future() == which) {
            setUp.tryFail(new IllegalStateException("connection to " + url + " not set up: " + why));
        }
        if (which.succeeded()) {
            LOG.debugf("connection to %s dropped: %s", url, why);
            RedisConnection conn = which.result();
            if (conn instanceof PooledRedisConnection pooled
                    && pooled.actual() instanceof RedisStandaloneConnection standalone) {
                standalone.forceClose();
            } else {
                conn.close();
            }
        }
    }

    void close() {
        Future<RedisConnection> current = connection.getAndSet(null);
        if (current != null && current.succeeded()) {
            current.result().close();
        }
    }
}
