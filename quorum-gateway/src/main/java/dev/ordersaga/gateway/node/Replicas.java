package dev.ordersaga.gateway.node;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

import dev.ordersaga.gateway.GatewayConfig;

/**
 * The replica set, exactly as {@code GATEWAY_NODES} lists it. Start-up refuses settings that make
 * no sense: no nodes, duplicates, URLs that are not redis://host:port, W or R outside 1..N.
 */
@ApplicationScoped
public class Replicas {

    private final List<ReplicaNode> nodes = new ArrayList<>();

    public Replicas(GatewayConfig config, Vertx vertx, MeterRegistry registry) {
        validate(config);
        for (int i = 0; i < config.nodes().size(); i++) {
            String url = config.nodes().get(i).trim();
            RedisOptions options = new RedisOptions()
                    .setConnectionString(url)
                    .setMaxPoolSize(64)
                    .setMaxPoolWaiting(4096)
                    .setPoolRecycleTimeout(15_000);
            options.getNetClientOptions().setConnectTimeout((int) config.nodeTimeout().toMillis());
            nodes.add(new ReplicaNode(i, url, Redis.createClient(vertx, options), config.nodeTimeout().toMillis(),
                    config.breakerDelay().toMillis(), registry));
        }
    }

    static void validate(GatewayConfig config) {
        List<String> urls = config.nodes();
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("GATEWAY_NODES lists no node");
        }
        var seen = new HashSet<String>();
        for (String raw : urls) {
            String url = raw.trim();
            URI uri = URI.create(url);
            if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("GATEWAY_NODES entry '" + url + "' is not redis://host:port");
            }
            if (!seen.add(url)) {
                throw new IllegalArgumentException("GATEWAY_NODES lists " + url + " twice");
            }
        }
        int n = urls.size();
        if (config.w() < 1 || config.w() > n) {
            throw new IllegalArgumentException("GATEWAY_W=" + config.w() + " must be between 1 and the " + n + " nodes");
        }
        if (config.r() < 1 || config.r() > n) {
            throw new IllegalArgumentException("GATEWAY_R=" + config.r() + " must be between 1 and the " + n + " nodes");
        }
        if (config.id().isBlank() || config.id().length() > 64) {
            throw new IllegalArgumentException("GATEWAY_ID must be 1 to 64 characters");
        }
    }

    public List<ReplicaNode> all() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    @PreDestroy
    void close() {
        nodes.forEach(ReplicaNode::close);
    }
}
