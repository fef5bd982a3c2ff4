package dev.ordersaga.gateway.antientropy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.ordersaga.gateway.GatewayConfig;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.store.Siblings;
import dev.ordersaga.gateway.store.Version;
import dev.ordersaga.gateway.store.VersionCodec;

/**
 * Active anti-entropy. Each node's keys are read (SCAN + MGET) and summarised in a
 * {@link MerkleTree}; trees are compared, and every key of a differing bucket is repaired by
 * merging the versions of all nodes (never by dropping a concurrent sibling) and writing the
 * merge to the nodes that lacked it. Trees are rebuilt on each run, on a schedule and on demand.
 */
@ApplicationScoped
public class AntiEntropyService {

    private static final Logger LOG = Logger.getLogger(AntiEntropyService.class);
    private static final int PAGE = 1000;

    private final Replicas replicas;
    private final GatewayConfig config;
    private final MeterRegistry registry;
    private final AtomicReference<Map<String, Object>> lastRun = new AtomicReference<>(Map.of());

    public AntiEntropyService(Replicas replicas, GatewayConfig config, MeterRegistry registry) {
        this.replicas = replicas;
        this.config = config;
        this.registry = registry;
    }

    /** One node's keys and stored values, or null when the node did not answer. */
    record Snapshot(ReplicaNode node, Map<String, String> values, MerkleTree tree) {
    }

    /** Roots per node and the bucket ranges where any two answering nodes differ. */
    public Uni<Map<String, Object>> integrity() {
        return snapshots().map(snaps -> {
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (Snapshot s : snaps) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("url", s.node().url());
                n.put("reachable", s.tree() != null);
                if (s.tree() != null) {
                    n.put("root", s.tree().rootHex());
                    n.put("keys", s.values().size());
                }
                nodes.add(n);
            }
            List<Integer> differing = differing(snaps);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("leaves", config.merkleLeaves());
            result.put("nodes", nodes);
            result.put("equal", differing.isEmpty() && snaps.stream().allMatch(s -> s.tree() != null));
            result.put("differingRanges", MerkleTree.ranges(differing).stream()
                    .map(r -> Map.of("firstBucket", r[0], "lastBucket", r[1])).toList());
            return result;
        });
    }

    @Scheduled(every = "{gateway.anti-entropy-every}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> repairOnSchedule() {
        return repair().onFailure().invoke(f -> LOG.warnf("anti-entropy failed: %s", f.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Compares every node's tree and repairs the keys of differing buckets; returns what it did. */
    public Uni<Map<String, Object>> repair() {
        long start = System.nanoTime();
        return snapshots().onItem().transformToUni(snaps -> {
            List<Integer> differing = differing(snaps);
            registry.counter("gateway.merkle.mismatches").increment(differing.size());
            Set<Integer> buckets = new TreeSet<>(differing);
            Set<String> keys = new TreeSet<>();
            for (Snapshot s : snaps) {
                if (s.values() != null) {
                    s.values().keySet().stream()
                            .filter(k -> buckets.contains(MerkleTree.bucket(k, config.merkleLeaves())))
                            .forEach(keys::add);
                }
            }
            return Multi.createFrom().iterable(keys)
                    .onItem().transformToUni(key -> repairKey(key, snaps)).merge(32)
                    .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue))
                    .map(repaired -> {
                        Map<String, Object> run = new LinkedHashMap<>();
                        run.put("at", Instant.now().toString());
                        run.put("differingBuckets", differing.size());
                        run.put("nodesSkipped", snaps.stream().filter(sn -> sn.tree() == null)
                                .map(sn -> sn.node().url()).toList());
                        run.put("keysChecked", keys.size());
                        run.put("writes", repaired);
                        run.put("durationMs", (System.nanoTime() - start) / 1_000_000);
                        lastRun.set(run);
                        registry.counter("gateway.antientropy.repairs").increment(repaired);
                        return run;
                    });
        });
    }

    /** The last run's summary, for /status. */
    public Map<String, Object> lastRun() {
        return lastRun.get();
    }

    private Uni<Integer> repairKey(String key, List<Snapshot> snaps) {
        List<Version> all = new ArrayList<>();
        for (Snapshot s : snaps) {
            if (s.values() != null) {
                all.addAll(VersionCodec.decode(s.values().get(key)));
            }
        }
        List<Version> merged = Siblings.reconcile(all);
        String json = VersionCodec.encode(merged);
        List<Uni<Integer>> writes = new ArrayList<>();
        for (Snapshot s : snaps) {
            if (s.values() != null && !Siblings.same(VersionCodec.decode(s.values().get(key)), merged)) {
                writes.add(s.node().merge(ReplicaNode.KV + key, json, Siblings.MAX, null).map(c -> 1)
                        .onFailure().recoverWithItem(0));
            }
        }
        if (writes.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Uni.join().all(writes).andCollectFailures().map(r -> r.stream().mapToInt(Integer::intValue).sum());
    }

    private List<Integer> differing(List<Snapshot> snaps) {
        Set<Integer> differing = new TreeSet<>();
        List<Snapshot> answered = snaps.stream().filter(s -> s.tree() != null).toList();
        for (int i = 1; i < answered.size(); i++) {
            differing.addAll(MerkleTree.diff(answered.get(0).tree(), answered.get(i).tree()));
        }
        return new ArrayList<>(differing);
    }

    private Uni<List<Snapshot>> snapshots() {
        return Multi.createFrom().iterable(replicas.all())
                .onItem().transformToUniAndConcatenate(node -> scan(node, "0", new HashMap<>())
                        .map(values -> new Snapshot(node, values, MerkleTree.build(digests(values), config.merkleLeaves())))
                        .onFailure().recoverWithItem(new Snapshot(node, null, null)))
                .collect().asList();
    }

    private Uni<Map<String, String>> scan(ReplicaNode node, String cursor, Map<String, String> into) {
        return node.scanValues(cursor, PAGE).onItem().transformToUni(page -> {
            String next = page.get(0).toString();
            List<String> redisKeys = new ArrayList<>();
            for (Response k : page.get(1)) {
                redisKeys.add(k.toString());
            }
            Uni<Void> fetched = redisKeys.isEmpty()
                    ? Uni.createFrom().voidItem()
                    : node.mget(redisKeys).invoke(values -> {
                        for (int i = 0; i < redisKeys.size(); i++) {
                            Response v = values.get(i);
                            if (v != null) {
                                into.put(redisKeys.get(i).substring(ReplicaNode.KV.length()), v.toString());
                            }
                        }
                    }).replaceWithVoid();
            return fetched.onItem().transformToUni(done -> "0".equals(next)
                    ? Uni.createFrom().item(into)
                    : scan(node, next, into));
        });
    }

    /** A key's digest: SHA-256 of its reconciled versions in canonical form, equal on every node that agrees. */
    private static Map<String, byte[]> digests(Map<String, String> values) {
        Map<String, byte[]> digests = new HashMap<>();
        values.forEach((key, raw) -> digests.put(key,
                sha256(VersionCodec.encode(Siblings.reconcile(VersionCodec.decode(raw))))));
        return digests;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
