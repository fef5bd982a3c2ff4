package dev.ordersaga.gateway.antientropy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;

import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.node.Stages;
import dev.ordersaga.gateway.store.StateCodec;

/**
 * Active anti-entropy. Every node keeps a Merkle index of its keys up to date on each write (leaf
 * hashes in {@code mt:<leaves>}, each bucket's keys and digests in {@code mb:<leaves>:<bucket>}), so
 * comparing replicas reads their leaves only: a pass costs what differs, not what is stored. The
 * keys of differing buckets are repaired by joining every node's state and writing the join to the
 * nodes that lack part of it; a join never drops a version nobody replaced.
 *
 * <p>A node whose index is missing (new, wiped, or written before the index existed) is indexed
 * once by a scan of its keys, beside the traffic; until then it is skipped and reported as such.
 */
@Startup
@ApplicationScoped
public class AntiEntropy {

    private static final Logger LOG = Logger.getLogger(AntiEntropy.class);
    private static final int PAGE = 500;
    private static final int KEY_BATCH = 200;

    private final Replicas replicas;
    private final GatewayConfig config;
    private final AtomicReference<Map<String, Object>> lastRun = new AtomicReference<>(Map.of());
    private final Map<ReplicaNode, Boolean> indexing = new ConcurrentHashMap<>();
    private final Counter mismatches;
    private final Counter repairs;
    private final Counter failures;

    public AntiEntropy(Replicas replicas, GatewayConfig config, MeterRegistry registry) {
        this.replicas = replicas;
        this.config = config;
        this.mismatches = Counter.builder("gateway.merkle.mismatches")
                .description("Buckets found differing between nodes").register(registry);
        this.repairs = Counter.builder("gateway.antientropy.repairs")
                .description("Keys written to a node by anti-entropy").register(registry);
        this.failures = Counter.builder("gateway.antientropy.failures")
                .description("Anti-entropy passes that failed (see the log and /status)").register(registry);
    }

    /** One node's tree, or why it could not be compared. */
    record Tree(ReplicaNode node, MerkleTree tree, String skipped) {
    }

    /** Roots per node and the bucket ranges where any two comparable nodes differ. */
    public Uni<Map<String, Object>> integrity() {
        return trees().map(trees -> {
            List<Map<String, Object>> nodes = new ArrayList<>();
            for (Tree t : trees) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("url", t.node().url());
                n.put("compared", t.tree() != null);
                if (t.tree() != null) {
                    n.put("root", t.tree().rootHex());
                } else {
                    n.put("skipped", t.skipped());
                }
                nodes.add(n);
            }
            List<Integer> differing = differing(trees);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("leaves", config.merkleLeaves());
            result.put("nodes", nodes);
            boolean complete = trees.stream().allMatch(t -> t.tree() != null);
            result.put("complete", complete);
            result.put("equal", complete && differing.isEmpty());
            result.put("differingRanges", MerkleTree.ranges(differing).stream()
                    .map(r -> Map.of("firstBucket", r[0], "lastBucket", r[1])).toList());
            return result;
        });
    }

    @Scheduled(every = "{gateway.anti-entropy-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> repairOnSchedule() {
        return repair().onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Compares every node's tree and repairs the keys of differing buckets; returns what it did. A pass
     * starts no further bucket once {@code GATEWAY_REPAIR_PASS_BUDGET} has passed (after its first), so
     * that it answers well within the HTTP idle timeout however much differs; {@code complete} says
     * whether every node was compared and every differing bucket repaired, {@code bucketsLeft} how many
     * wait for the next pass.
     */
    public Uni<Map<String, Object>> repair() {
        long start = System.nanoTime();
        long deadline = start + config.repairPassBudget().toNanos();
        return trees().onItem().transformToUni(trees -> {
            List<Integer> differing = differing(trees);
            mismatches.increment(differing.size());
            List<ReplicaNode> compared = trees.stream().filter(t -> t.tree() != null).map(Tree::node).toList();
            return Multi.createFrom().iterable(differing)
                    .select().where(bucket -> bucket.equals(differing.get(0)) || System.nanoTime() < deadline)
                    .onItem().transformToUni(bucket -> repairBucket(bucket, compared)).merge(4)
                    .collect().asList()
                    .map(results -> {
                        Map<String, Object> run = new LinkedHashMap<>();
                        run.put("at", Instant.now().toString());
                        run.put("differingBuckets", differing.size());
                        run.put("bucketsRepaired", results.size());
                        run.put("bucketsLeft", differing.size() - results.size());
                        run.put("complete", results.size() == differing.size()
                                && trees.stream().allMatch(t -> t.tree() != null));
                        run.put("nodesSkipped", trees.stream().filter(t -> t.tree() == null)
                                .map(t -> Map.of("url", t.node().url(), "reason", t.skipped())).toList());
                        run.put("keysChecked", results.stream().mapToLong(r -> r[0]).sum());
                        run.put("writes", results.stream().mapToLong(r -> r[1]).sum());
                        run.put("durationMs", (System.nanoTime() - start) / 1_000_000);
                        repairs.increment(results.stream().mapToLong(r -> r[1]).sum());
                        lastRun.set(run);
                        return run;
                    });
        }).onFailure().invoke(f -> {
            failures.increment();
            LOG.warnf(f, "anti-entropy pass failed: %s", f.toString());
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("at", Instant.now().toString());
            run.put("error", f.toString());
            lastRun.set(run);
        });
    }

    /** The last run's summary, for /status. */
    public Map<String, Object> lastRun() {
        return lastRun.get();
    }

    /** Joins every compared node's state of each key in {@code bucket}; returns {keys checked, writes}. */
    private Uni<long[]> repairBucket(int bucket, List<ReplicaNode> nodes) {
        String members = ReplicaNode.members(config.merkleLeaves(), bucket);
        return Multi.createFrom().iterable(nodes)
                .onItem().transformToUniAndMerge(node -> node.command(Command.HKEYS, members))
                .collect().in(TreeSet<String>::new, (keys, response) -> response.forEach(k -> keys.add(k.toString())))
                .onItem().transformToUni(keys -> Multi.createFrom().iterable(batches(keys))
                        .onItem().transformToUniAndConcatenate(batch -> repairKeys(batch, bucket, nodes))
                        .collect().with(Collectors.summingLong(Long::longValue))
                        .map(writes -> new long[] { keys.size(), writes }));
    }

    private Uni<Long> repairKeys(List<String> keys, int bucket, List<ReplicaNode> nodes) {
        return Multi.createFrom().iterable(nodes)
                .onItem().transformToUniAndMerge(node -> node.mget(keys).map(values -> Map.entry(node, values)))
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue)
                .onItem().transformToUni(byNode -> {
                    List<Uni<Long>> writes = new ArrayList<>();
                    for (int i = 0; i < keys.size(); i++) {
                        Map<ReplicaNode, KeyState> states = new HashMap<>();
                        for (var e : byNode.entrySet()) {
                            Buffer raw = e.getValue().get(i);
                            states.put(e.getKey(), StateCodec.decodeOrEmpty(raw == null ? null : raw.getBytes()));
                        }
                        KeyState joined = KeyState.joinAll(states.values());
                        if (joined.isEmpty()) {
                            continue;
                        }
                        Buffer encoded = Buffer.buffer(StateCodec.encode(joined));
                        String key = keys.get(i);
                        states.forEach((node, state) -> {
                            if (!state.equals(joined)) {
                                writes.add(Stages.uni(() -> node.join(key, config.merkleLeaves(), bucket, encoded)).replaceWith(1L)
                                        .onFailure().recoverWithItem(0L));
                            }
                        });
                    }
                    if (writes.isEmpty()) {
                        return Uni.createFrom().item(0L);
                    }
                    return Uni.join().all(writes).andCollectFailures()
                            .map(r -> r.stream().mapToLong(Long::longValue).sum());
                });
    }

    private static List<List<String>> batches(Set<String> keys) {
        List<List<String>> batches = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String k : keys) {
            current.add(k);
            if (current.size() == KEY_BATCH) {
                batches.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private static List<Integer> differing(List<Tree> trees) {
        Set<Integer> differing = new TreeSet<>();
        List<Tree> compared = trees.stream().filter(t -> t.tree() != null).toList();
        for (int i = 1; i < compared.size(); i++) {
            differing.addAll(MerkleTree.diff(compared.get(0).tree(), compared.get(i).tree()));
        }
        return new ArrayList<>(differing);
    }

    private Uni<List<Tree>> trees() {
        return Multi.createFrom().iterable(replicas.all())
                .onItem().transformToUniAndConcatenate(this::tree)
                .collect().asList();
    }

    private Uni<Tree> tree(ReplicaNode node) {
        int leaves = config.merkleLeaves();
        return node.command(Command.EXISTS, indexedMarker())
                .onItem().transformToUni(indexed -> {
                    if (indexed.toLong() == 0) {
                        startIndexing(node);
                        return Uni.createFrom().item(new Tree(node, null, "indexing"));
                    }
                    return node.command(Command.HGETALL, ReplicaNode.tree(leaves)).map(all -> {
                        Map<Integer, String> leafHex = new HashMap<>();
                        for (String field : all.getKeys()) {
                            leafHex.put(Integer.parseInt(field), all.get(field).toString());
                        }
                        return new Tree(node, MerkleTree.fromLeaves(leafHex, leaves), null);
                    });
                })
                .onFailure().recoverWithItem(f -> new Tree(node, null, "unreachable: " + f.getClass().getSimpleName()));
    }

    private String indexedMarker() {
        return "gw:indexed:" + config.merkleLeaves();
    }

    /** Indexes a node's existing keys in the background, once; marks the node indexed when done. */
    private void startIndexing(ReplicaNode node) {
        if (indexing.putIfAbsent(node, Boolean.TRUE) != null) {
            return;
        }
        LOG.infof("indexing the keys of %s for anti-entropy (%d leaves)", node.url(), config.merkleLeaves());
        indexFrom(node, "0", 0)
                .call(n -> node.command(Command.SET, indexedMarker(), "1"))
                .eventually(() -> indexing.remove(node))
                .subscribe().with(n -> LOG.infof("indexed %d key(s) of %s", n, node.url()),
                        f -> LOG.warnf("indexing %s failed, will retry: %s", node.url(), f.toString()));
    }

    private Uni<Long> indexFrom(ReplicaNode node, String cursor, long soFar) {
        return node.command(Command.SCAN, cursor, "MATCH", ReplicaNode.KV + "*", "COUNT", PAGE)
                .onItem().transformToUni(page -> {
                    String next = page.get(0).toString();
                    List<String> keys = new ArrayList<>();
                    List<Integer> buckets = new ArrayList<>();
                    for (Response k : page.get(1)) {
                        String key = k.toString().substring(ReplicaNode.KV.length());
                        keys.add(key);
                        buckets.add(MerkleTree.bucket(key, config.merkleLeaves()));
                    }
                    Uni<Long> indexed = keys.isEmpty() ? Uni.createFrom().item(0L)
                            : node.index(config.merkleLeaves(), keys, buckets);
                    return indexed.onItem().transformToUni(n -> "0".equals(next)
                            ? Uni.createFrom().item(soFar + n)
                            : indexFrom(node, next, soFar + n));
                });
    }
}
