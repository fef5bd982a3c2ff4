package dev.ordersaga.gateway.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.gateway.antientropy.AntiEntropy;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.hints.HintedHandoff;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;

/** Operations of seed 003: node status, replaying hints, integrity check and repair. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class OperationsResource {

    private final Replicas replicas;
    private final HintedHandoff hints;
    private final GatewayConfig config;
    private final AntiEntropy antiEntropy;

    public OperationsResource(Replicas replicas, HintedHandoff hints, GatewayConfig config, AntiEntropy antiEntropy) {
        this.replicas = replicas;
        this.hints = hints;
        this.config = config;
        this.antiEntropy = antiEntropy;
    }

    /** Merkle root per node and the key-hash ranges (buckets) where nodes differ. */
    @GET
    @Path("integrity")
    public Uni<Map<String, Object>> integrity() {
        return antiEntropy.integrity();
    }

    /** Anti-entropy now: repairs every key of every differing bucket by merging versions. */
    @POST
    @Path("repair")
    public Uni<Map<String, Object>> repair() {
        return antiEntropy.repair();
    }

    /** Per node: reachable, breaker state, recent latency, hint backlog. */
    @GET
    @Path("status")
    public Uni<Map<String, Object>> status() {
        return Multi.createFrom().iterable(replicas.all())
                .onItem().transformToUniAndConcatenate(this::nodeStatus)
                .collect().asList()
                .map(nodes -> {
                    Map<String, Object> status = new LinkedHashMap<>();
                    status.put("gatewayId", config.id());
                    status.put("w", config.w());
                    status.put("r", config.r());
                    status.put("nodes", nodes);
                    status.put("lastAntiEntropy", antiEntropy.lastRun());
                    return status;
                });
    }

    private Uni<Map<String, Object>> nodeStatus(ReplicaNode node) {
        return hints.backlogFor(node).onFailure().recoverWithNull().map(backlog -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("url", node.url());
            s.put("reachable", node.reachable());
            s.put("breaker", node.breakerState().name());
            s.put("latencyP50Ms", percentile(node, 0.5));
            s.put("latencyP99Ms", percentile(node, 0.99));
            s.put("hintBacklog", backlog);
            return s;
        });
    }

    private static double percentile(ReplicaNode node, double p) {
        for (var v : node.latency().takeSnapshot().percentileValues()) {
            if (v.percentile() == p) {
                return Math.round(v.value(TimeUnit.MICROSECONDS)) / 1000.0;
            }
        }
        return Double.NaN;
    }

    /** Replays every hint whose node answers, now. */
    @POST
    @Path("flush_hinted")
    public Uni<Map<String, Object>> flushHinted() {
        return hints.replayAll()
                .onItem().transformToUni(replayed -> hints.refreshBacklog()
                        .map(backlog -> {
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("replayed", replayed);
                            out.put("backlog", backlog);
                            return out;
                        }));
    }

    /** The configured replica set, for clients that want to know it. */
    @GET
    @Path("nodes")
    public List<String> nodes() {
        return replicas.all().stream().map(ReplicaNode::url).toList();
    }
}
