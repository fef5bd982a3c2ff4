package dev.ordersaga.testsupport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP proxy placed on one network path (one direction: who connects to whom). It forwards, or
 * cuts the path in one of two ways:
 * <ul>
 * <li>{@link Mode#REFUSE}: every connection is closed at once, established ones included, like a
 * dead peer;</li>
 * <li>{@link Mode#BLACKHOLE}: a partition that drops packets. Nothing passes either way: established
 * connections stall (each end keeps its connection open and hears nothing), new connections are
 * accepted and held without an answer, and callers only notice through their own timeouts. When the
 * path heals, what was held goes through, as TCP's retransmissions deliver it once a partition
 * heals: stalled connections carry on and held ones reach the target. A connection a caller gave up
 * on meanwhile is the caller's to close.</li>
 * </ul>
 * While forwarding it can also slow the path down (a fixed latency plus a random jitter, each way,
 * bytes kept in order) and cut a share of new connections at once.
 */
public final class TcpProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode {
        FORWARD, REFUSE, BLACKHOLE
    }

    private final Vertx vertx;
    private final NetServer server;
    private final NetClient client;
    private volatile int targetPort;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    /** Connections accepted while the path was a blackhole, not yet connected to the target. */
    private final Set<NetSocket> held = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.FORWARD;
    private volatile long latencyMs;
    private volatile long jitterMs;
    private volatile int dropPercent;

    private TcpProxy(Vertx vertx, int listenPort, int targetPort) {
        this.vertx = vertx;
        this.targetPort = targetPort;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2000));
        this.server = vertx.createNetServer().connectHandler(this::accept);
        try {
            server.listen(listenPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("proxy cannot listen on " + listenPort, e);
        }
    }

    /** A proxy on {@code listenPort} in front of {@code 127.0.0.1:targetPort}. */
    public static TcpProxy start(int listenPort, int targetPort) {
        return new TcpProxy(Vertx.vertx(), listenPort, targetPort);
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Changes what the proxy does: REFUSE closes every connection, BLACKHOLE stalls them, FORWARD lets
     * stalled and held connections go on.
     */
    public synchronized void mode(Mode mode) {
        this.mode = mode;
        switch (mode) {
            case REFUSE -> {
                open.forEach(NetSocket::close);
                open.clear();
                held.forEach(NetSocket::close);
                held.clear();
            }
            case BLACKHOLE -> open.forEach(NetSocket::pause);
            case FORWARD -> {
                open.forEach(NetSocket::resume);
                List<NetSocket> waiting = List.copyOf(held);
                held.clear();
                waiting.forEach(this::forward);
            }
        }
    }

    /**
     * Sends new connections to another port from now on and ends the established ones, as a
     * Kubernetes Service does when its endpoints change.
     */
    public void retarget(int port) {
        this.targetPort = port;
        open.forEach(NetSocket::close);
        open.clear();
    }

    /** Forwards again, without latency or dropped connections. */
    public void heal() {
        latency(0, 0);
        drop(0);
        mode(Mode.FORWARD);
    }

    /** Adds {@code fixedMs} plus a random share of {@code jitterMs} to every chunk, each way; zeros remove it. */
    public void latency(long fixedMs, long jitterMs) {
        if (fixedMs < 0 || jitterMs < 0) {
            throw new IllegalArgumentException("latency and jitter are at least 0 ms");
        }
        this.latencyMs = fixedMs;
        this.jitterMs = jitterMs;
    }

    /** Cuts {@code percent}% of new connections at once (0 to 100). */
    public void drop(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("a share of connections is between 0 and 100 percent");
        }
        this.dropPercent = percent;
    }

    /** What the proxy does now, e.g. {@code forward latency=50+20ms drop=10%}. */
    public String describe() {
        String s = mode.name().toLowerCase();
        if (latencyMs > 0 || jitterMs > 0) {
            s += " latency=" + latencyMs + "+" + jitterMs + "ms";
        }
        if (dropPercent > 0) {
            s += " drop=" + dropPercent + "%";
        }
        return s;
    }

    private synchronized void accept(NetSocket inbound) {
        if (mode == Mode.FORWARD && dropPercent > 0 && ThreadLocalRandom.current().nextInt(100) < dropPercent) {
            inbound.close();
            return;
        }
        switch (mode) {
            case REFUSE -> inbound.close();
            case BLACKHOLE -> {
                inbound.pause();
                held.add(inbound);
                inbound.closeHandler(v -> held.remove(inbound));
            }
            case FORWARD -> forward(inbound);
        }
    }

    private void forward(NetSocket inbound) {
        inbound.pause();
        client.connect(targetPort, "127.0.0.1").onComplete(result -> {
            if (result.failed()) {
                inbound.close();
                return;
            }
            NetSocket outbound = result.result();
            outbound.pause();
            Direction toOutbound = new Direction(outbound);
            Direction toInbound = new Direction(inbound);
            outbound.closeHandler(v -> {
                open.remove(outbound);
                toInbound.close();
            });
            inbound.closeHandler(v -> {
                open.remove(inbound);
                toOutbound.close();
            });
            inbound.handler(toOutbound);
            outbound.handler(toInbound);
            connected(inbound, outbound);
        });
    }

    /** A forwarded pair is open: it carries bytes now, or stalls until the path heals, or is cut. */
    private synchronized void connected(NetSocket inbound, NetSocket outbound) {
        switch (mode) {
            case REFUSE -> {
                inbound.close();
                outbound.close();
            }
            case BLACKHOLE -> {
                open.add(inbound);
                open.add(outbound);
            }
            case FORWARD -> {
                open.add(inbound);
                open.add(outbound);
                inbound.resume();
                outbound.resume();
            }
        }
    }

    /**
     * Writes to {@code to} at once, or after the latency in force; each chunk leaves no earlier than
     * the one before it, so the stream stays in order whatever the jitter.
     */
    /**
     * One direction of a forwarded connection: chunks are delayed in order, and the peer's close
     * follows the last of them, so an answer sent just before a close is not lost to the delay.
     * Driven by the events of one socket, so on one event loop.
     */
    private final class Direction implements Handler<Buffer> {
        private final NetSocket to;
        private Future<Void> tail = Future.succeededFuture();

        Direction(NetSocket to) {
            this.to = to;
        }

        @Override
        public void handle(Buffer bytes) {
            later(() -> to.write(bytes));
        }

        void close() {
            later(to::close);
        }

        /** Runs {@code action} after the delay, and after every action this direction was given before it. */
        private void later(Runnable action) {
            long fixed = latencyMs;
            long jitter = jitterMs;
            if (fixed == 0 && jitter == 0 && tail.isComplete()) {
                action.run();
                return;
            }
            long due = System.nanoTime()
                    + TimeUnit.MILLISECONDS.toNanos(fixed + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0));
            tail = tail.compose(v -> {
                long waitMs = TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime());
                if (waitMs <= 0) {
                    action.run();
                    return Future.succeededFuture();
                }
                Promise<Void> done = Promise.promise();
                vertx.setTimer(waitMs, t -> {
                    action.run();
                    done.complete();
                });
                return done.future();
            });
        }
    }

    @Override
    public void close() {
        mode(Mode.REFUSE);
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
