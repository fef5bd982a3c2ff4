package dev.ordersaga.gateway.node;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import dev.ordersaga.gateway.config.GatewayConfig;

/**
 * The replica set, exactly as {@code GATEWAY_NODES} lists it, each node behind its own pipelined
 * connections. Created at start-up, so a node list that makes no sense stops the service before
 * it reports ready.
 */
@Startup
@ApplicationScoped
public class Replicas {

    private static final long SWEEP_EVERY_MS = 50;
    /** Node clocks are measured every 2 s (they feed the deadlines of writes). */
    private static final long CLOCK_EVERY_SWEEPS = 40;

    private final List<ReplicaNode> nodes = new ArrayList<>();
    private final Vertx vertx;
    private final long sweeper;

    public Replicas(GatewayConfig config, Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        List<String> problems = problems(config.nodes());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        for (int i = 0; i < config.nodes().size(); i++) {
            String url = config.nodes().get(i).trim();
            RedisOptions options = new RedisOptions()
                    .setConnectionString(url)
                    .setMaxPoolSize(2 * config.nodeConnections() + 4)
                    .setMaxPoolWaiting(1024)
                    .setMaxWaitingHandlers(16384);
            options.getNetClientOptions()
                    .setConnectTimeout((int) config.nodeTimeout().toMillis())
                    .setTcpKeepAlive(true)
                    .setTcpNoDelay(true);
            nodes.add(new ReplicaNode(i, url, Redis.createClient(vertx, options), config.nodeConnections(),
                    config.nodeTimeout().toMillis(), config.breakerDelay().toMillis(), config.tombstoneGrace().toMillis() / 2,
                    !Boolean.parseBoolean(config.unsafeKeepActorAcrossRestarts()), registry));
        }
        long[] sweeps = { 0 };
        nodes.forEach(ReplicaNode::syncClock);
        this.sweeper = vertx.setPeriodic(SWEEP_EVERY_MS, id -> {
            long now = System.nanoTime();
            nodes.forEach(n -> n.sweep(now));
            if (++sweeps[0] % CLOCK_EVERY_SWEEPS == 0) {
                nodes.forEach(ReplicaNode::syncClock);
            }
        });
    }

    /** What is wrong with a node list (empty when nothing): not redis://host:port, or listed twice. */
    public static List<String> problems(List<String> urls) {
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : urls) {
            String url = raw.trim();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                problems.add("GATEWAY_NODES entry '" + url + "' is not redis://host:port");
                continue;
            }
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().matches("/\\d{1,2}"))) {
                problems.add("GATEWAY_NODES entry '" + url + "' is not redis://host:port");
            } else if (!seen.add(uri.getHost().toLowerCase() + ":" + uri.getPort())) {
                problems.add("GATEWAY_NODES lists " + url + " twice");
            }
        }
        return problems;
    }

    public List<ReplicaNode> all() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    @PreDestroy
    void close() {
        vertx.cancelTimer(sweeper);
        nodes.forEach(ReplicaNode::close);
    }
}
