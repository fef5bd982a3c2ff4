package dev.ordersaga.testsupport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * A TCP proxy placed on one network path (one direction: who connects to whom). It forwards, or
 * cuts the path in one of two ways:
 * <ul>
 * <li>{@link Mode#REFUSE}: every connection is closed at once, like a dead peer;</li>
 * <li>{@link Mode#BLACKHOLE}: connections are accepted and bytes swallowed, nothing comes back, like
 * a partition where packets are dropped: callers only notice through their timeouts.</li>
 * </ul>
 * Switching away from {@link Mode#FORWARD} also ends the established connections on the path, so
 * pooled connections cannot hide the cut.
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
    private volatile Mode mode = Mode.FORWARD;

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

    /** Changes what the proxy does; leaving FORWARD closes every established connection. */
    public void mode(Mode mode) {
        this.mode = mode;
        if (mode != Mode.FORWARD) {
            open.forEach(NetSocket::close);
            open.clear();
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

    public void heal() {
        mode(Mode.FORWARD);
    }

    private void accept(NetSocket inbound) {
        switch (mode) {
            case REFUSE -> inbound.close();
            case BLACKHOLE -> {
                open.add(inbound);
                inbound.handler(bytes -> {
                });
                inbound.closeHandler(v -> open.remove(inbound));
            }
            case FORWARD -> forward(inbound);
        }
    }

    private void forward(NetSocket inbound) {
        inbound.pause();
        open.add(inbound);
        inbound.closeHandler(v -> open.remove(inbound));
        client.connect(targetPort, "127.0.0.1").onComplete(result -> {
            if (result.failed() || mode != Mode.FORWARD) {
                inbound.close();
                return;
            }
            NetSocket outbound = result.result();
            open.add(outbound);
            outbound.closeHandler(v -> {
                open.remove(outbound);
                inbound.close();
            });
            inbound.closeHandler(v -> {
                open.remove(inbound);
                outbound.close();
            });
            inbound.handler(outbound::write);
            outbound.handler(inbound::write);
            inbound.resume();
        });
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
