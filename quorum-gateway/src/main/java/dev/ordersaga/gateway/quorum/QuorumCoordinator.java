package dev.ordersaga.gateway.quorum;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;

import dev.ordersaga.gateway.antientropy.MerkleTree;
import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.causality.VersionVector;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.hints.HintedHandoff;
import dev.ordersaga.gateway.node.NodeFailure;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.node.Stages;
import dev.ordersaga.gateway.store.StateCodec;

/**
 * Coordinates one write or read over the replicas.
 *
 * <p>A write is accepted by one node first (the key's first node in preference order that answers),
 * which draws the write's dot, keeps the key's whole new state as a hint for every other node, and
 * returns that state; it is joined into the other nodes, and the write is acknowledged once W nodes
 * hold it: so a hint exists before the client hears of the write. The accepting node's hints are
 * dropped for the nodes that took the write; those that missed it get the hint on every node that
 * took it.
 *
 * <p>A read asks R nodes, in the key's preference order, and one more each time one of them fails
 * or {@code GATEWAY_SPECULATIVE_READ_AFTER} passes without the quorum (a speculative read). It joins
 * the states of the first R nodes to answer. If they differ, the join is written
 * back to the stale ones before the read answers (blocking read repair); nodes that answer later
 * are repaired off the response path, and a lone tombstone every node holds is removed once it is
 * older than {@code GATEWAY_TOMBSTONE_GRACE} and no node keeps a hint of its key.
 */
@Startup
@ApplicationScoped
public class QuorumCoordinator {

    private static final Logger LOG = Logger.getLogger(QuorumCoordinator.class);

    private final Replicas replicas;
    private final GatewayConfig config;
    private final HintedHandoff hints;
    private final MeterRegistry registry;
    private final AtomicInteger lateRepairsInFlight = new AtomicInteger();
    private final Counter acknowledged;
    private final Counter siblingReads;
    private final Counter blockingRepairs;
    private final Counter lateRepairs;
    private final Counter refused;
    private final Counter lateRepairsSkipped;

    public QuorumCoordinator(Replicas replicas, GatewayConfig config, HintedHandoff hints, MeterRegistry registry) {
        this.replicas = replicas;
        this.config = config;
        this.hints = hints;
        this.registry = registry;
        this.acknowledged = Counter.builder("gateway.writes.acknowledged").register(registry);
        this.siblingReads = Counter.builder("gateway.reads.siblings").register(registry);
        this.blockingRepairs = Counter.builder("gateway.read.repairs").tag("mode", "blocking")
                .description("Nodes repaired before a read answered").register(registry);
        this.lateRepairs = Counter.builder("gateway.read.repairs").tag("mode", "late")
                .description("Nodes that answered after the quorum, repaired off the response path").register(registry);
        this.refused = Counter.builder("gateway.writes.refused").tag("reason", "sibling-bound").register(registry);
        this.lateRepairsSkipped = Counter.builder("gateway.read.repairs.skipped")
                .description("Repairs of nodes that answered after a read's quorum, left to anti-entropy past GATEWAY_MAX_READ_REPAIRS")
                .register(registry);
        for (String operation : List.of("read", "write")) {
            Counter.builder("gateway.quorum.failures").tag("operation", operation).register(registry);
        }
    }

    /** A new value (or a deletion) of a key, as the client sent it. */
    public record Write(String key, VersionVector context, byte[] value, String contentType, boolean deleted) {
    }

    /** What a read found: the joined state; its vector is the context to write back with. */
    public record ReadResult(KeyState state) {
    }

    /** Writes; completes once {@code w} nodes hold it, fails with 503 when they cannot, 409 past the key's bounds. */
    public Uni<Void> write(Write write, int w) {
        return Stages.uni(() -> writeStage(write, w));
    }

    private CompletionStage<Void> writeStage(Write write, int w) {
        int bucket = bucket(write.key());
        List<ReplicaNode> order = preference(write.key());
        return accept(write, bucket, order, 0, w, List.of())
                .thenCompose(accepted -> replicate(write.key(), bucket, accepted, order, w))
                .thenRun(acknowledged::increment);
    }

    /** The node that accepted a write and the key's state there afterwards. */
    private record Accepted(ReplicaNode node, KeyState state, Buffer encoded) {
    }

    /** Asks nodes in preference order until one accepts the write, as long as W nodes may still take it. */
    private CompletionStage<Accepted> accept(Write write, int bucket, List<ReplicaNode> order, int attempt, int w,
            List<String> failed) {
        ReplicaNode node = order.get(attempt);
        long now = System.currentTimeMillis();
        List<String> others = order.stream().filter(n -> n != node).map(ReplicaNode::url).toList();
        return node.write(write.key(), config.merkleLeaves(), bucket, Buffer.buffer(StateCodec.encode(write.context())),
                Buffer.buffer(write.value()), write.contentType(), write.deleted(), now, config.id(),
                config.maxSiblings(), config.maxKeyBytes(), others)
                .thenApply(response -> accepted(node, response))
                .exceptionallyCompose(failure -> {
                    Throwable f = Stages.unwrap(failure);
                    if (f instanceof SiblingBoundException) {
                        return CompletableFuture.failedFuture(f);
                    }
                    List<String> failedSoFar = new ArrayList<>(failed);
                    failedSoFar.add(node.url());
                    if (!certainlyNotApplied(f)) {
                        // The node may apply it yet: asking another would write it twice, under two dots.
                        return CompletableFuture.failedFuture(lost("write", w, 0, failedSoFar)
                                .with("outcome", "unknown: " + node.url() + " did not answer in time and may have applied it"));
                    }
                    if (order.size() - attempt - 1 < w) {
                        return CompletableFuture.failedFuture(lost("write", w, 0, failedSoFar));
                    }
                    LOG.debugf("node %s did not accept a write of %s (%s), trying the next", node.url(), write.key(), f);
                    return accept(write, bucket, order, attempt + 1, w, failedSoFar);
                });
    }

    /** Whether a failed accept surely wrote nothing (so another node may be asked). */
    private static boolean certainlyNotApplied(Throwable f) {
        return f instanceof NodeFailure nf && !nf.maybeApplied()
                || f instanceof CircuitBreakerOpenException;
    }

    private Accepted accepted(ReplicaNode node, Response response) {
        String status = response.get(0).toString();
        if ("bound".equals(status)) {
            refused.increment();
            throw new SiblingBoundException(response.get(1).toInteger(), response.get(2).toLong(), config.maxSiblings(),
                    config.maxKeyBytes());
        }
        Buffer encoded = response.get(1).toBuffer();
        return new Accepted(node, StateCodec.decode(encoded.getBytes()), encoded);
    }

    /** Joins the accepted state into the other nodes; done once W nodes hold it. Hints follow for the nodes that did not take it. */
    private CompletionStage<Void> replicate(String key, int bucket, Accepted accepted, List<ReplicaNode> order, int w) {
        List<ReplicaNode> others = order.stream().filter(n -> n != accepted.node()).toList();
        int reachable = others.size() + 1;
        if (w > reachable) {
            return CompletableFuture.failedFuture(new QuorumNotReachedException("write", w, 1, List.of()));
        }
        Fanout<Boolean> fanout = Fanout.start(others, w - 1, node -> node.join(key, config.merkleLeaves(), bucket, accepted.encoded()));
        fanout.all().thenAccept(answers -> hintMissed(key, accepted, answers));
        return fanout.quorum().handle((answers, failure) -> {
            if (failure != null) {
                throw lostOr(failure, "write", w, 1);
            }
            return null;
        });
    }

    /**
     * Once every node has answered: the accepting node drops the hints it kept for the nodes that took
     * the write, and every other node that took it keeps a hint for each node that missed it (the
     * accepting node already does).
     */
    private void hintMissed(String key, Accepted accepted, List<Fanout.Answer<Boolean>> answers) {
        List<ReplicaNode> holders = new ArrayList<>();
        List<ReplicaNode> missed = new ArrayList<>();
        for (var a : answers) {
            (a.ok() ? holders : missed).add(a.node());
        }
        if (!holders.isEmpty()) {
            accepted.node().dropHintsSoon(holders.stream().map(ReplicaNode::url).toList(), key, accepted.encoded());
        }
        for (ReplicaNode target : missed) {
            hints.store(holders, target, key, accepted.encoded());
        }
    }

    /** Reads from {@code r} nodes, repairing the stale ones among them before answering. */
    public Uni<ReadResult> read(String key, int r) {
        return Stages.uni(() -> readStage(key, r));
    }

    private CompletionStage<ReadResult> readStage(String key, int r) {
        int bucket = bucket(key);
        Fanout<KeyState> fanout = Fanout.startSpeculative(preference(key), r, node -> stateOn(node, key),
                config.speculativeReadAfter());
        return fanout.quorum()
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(lostOr(failure, "read", r, 0)))
                .thenCompose(answers -> repairBeforeAnswer(key, bucket, answers, r, fanout));
    }

    private CompletionStage<ReadResult> repairBeforeAnswer(String key, int bucket, List<Fanout.Answer<KeyState>> answers, int r,
            Fanout<KeyState> fanout) {
        Map<ReplicaNode, KeyState> seen = new LinkedHashMap<>();
        answers.forEach(a -> seen.put(a.node(), a.value()));
        KeyState joined = KeyState.joinAll(seen.values());
        if (joined.live().size() > 1) {
            siblingReads.increment();
        }
        fanout.all().thenAccept(all -> afterRead(key, bucket, joined, seen, all));
        List<ReplicaNode> stale = ReadRepair.stale(seen, joined);
        if (stale.isEmpty()) {
            return CompletableFuture.completedFuture(new ReadResult(joined));
        }
        Buffer encoded = Buffer.buffer(StateCodec.encode(joined));
        int agreeing = seen.size() - stale.size();
        Fanout<Boolean> repair = Fanout.start(stale, Math.max(r - agreeing, 0),
                node -> node.join(key, config.merkleLeaves(), bucket, encoded));
        return repair.quorum().handle((done, failure) -> {
            if (failure != null) {
                throw lostOr(failure, "read", r, agreeing);
            }
            blockingRepairs.increment(done.size());
            return new ReadResult(joined);
        });
    }

    /** Off the response path: repairs nodes that answered after the quorum, and reaps a tombstone every node holds alone. */
    private void afterRead(String key, int bucket, KeyState joined, Map<ReplicaNode, KeyState> seen,
            List<Fanout.Answer<KeyState>> all) {
        List<KeyState> everyNode = new ArrayList<>();
        for (var a : all) {
            if (!a.ok()) {
                continue;
            }
            everyNode.add(a.value());
            if (!seen.containsKey(a.node()) && !a.value().equals(joined) && !joined.isEmpty()) {
                repairLate(key, bucket, a.node(), joined);
            }
        }
        if (!joined.onlyTombstone()) {
            return;
        }
        if (all.size() < replicas.size()) {
            // a speculative read did not ask every node: ask the others before a lone tombstone is reaped
            List<ReplicaNode> asked = all.stream().map(Fanout.Answer::node).toList();
            List<ReplicaNode> others = replicas.all().stream().filter(n -> !asked.contains(n)).toList();
            Fanout.start(others, others.size(), node -> stateOn(node, key)).all().thenAccept(more -> {
                List<KeyState> states = new ArrayList<>(everyNode);
                more.stream().filter(Fanout.Answer::ok).forEach(a -> states.add(a.value()));
                reapIfEveryNodeHoldsIt(key, bucket, joined, states);
            });
            return;
        }
        reapIfEveryNodeHoldsIt(key, bucket, joined, everyNode);
    }

    private void reapIfEveryNodeHoldsIt(String key, int bucket, KeyState joined, List<KeyState> everyNode) {
        if (ReadRepair.reapable(everyNode, replicas.size(), config.tombstoneGrace(), System.currentTimeMillis())
                && everyNode.get(0).equals(joined)) {
            reapUnlessHinted(key, bucket, joined);
        }
    }

    private static CompletionStage<KeyState> stateOn(ReplicaNode node, String key) {
        return node.get(key).thenApply(raw -> StateCodec.decodeOrEmpty(raw == null ? null : raw.getBytes()));
    }

    /**
     * Removes a lone tombstone from every node, unless some node keeps a hint of the key: a hint
     * replayed into a removed key would bring back what the delete removed.
     */
    private void reapUnlessHinted(String key, int bucket, KeyState tombstone) {
        List<ReplicaNode> nodes = replicas.all();
        List<String> urls = nodes.stream().map(ReplicaNode::url).toList();
        Multi.createFrom().iterable(nodes)
                .onItem().transformToUniAndMerge(n -> n.hasHint(urls.stream().filter(u -> !u.equals(n.url())).toList(), key))
                .collect().asList()
                .subscribe().with(hinted -> {
                    if (hinted.contains(true)) {
                        return;
                    }
                    Buffer expected = Buffer.buffer(StateCodec.encode(tombstone));
                    for (ReplicaNode n : nodes) {
                        n.reap(key, config.merkleLeaves(), bucket, expected).subscribe().with(x -> {
                        }, f -> {
                        });
                    }
                }, f -> LOG.debugf("tombstone of %s kept: hints could not be checked on every node: %s", key, f));
    }

    private void repairLate(String key, int bucket, ReplicaNode node, KeyState joined) {
        if (lateRepairsInFlight.incrementAndGet() > config.maxReadRepairs()) {
            lateRepairsInFlight.decrementAndGet();
            lateRepairsSkipped.increment();
            return;
        }
        node.join(key, config.merkleLeaves(), bucket, Buffer.buffer(StateCodec.encode(joined)))
                .whenComplete((changed, f) -> {
                    lateRepairsInFlight.decrementAndGet();
                    if (f == null) {
                        lateRepairs.increment();
                    } else {
                        LOG.debugf("read repair of %s on %s failed: %s", key, node.url(), Stages.unwrap(f));
                    }
                });
    }

    /**
     * The failure of a fan-out as the client sees it: too few nodes ({@code achievedBefore} already
     * counted) is a {@link QuorumNotReachedException}; anything else stays what it was.
     */
    private RuntimeException lostOr(Throwable failure, String operation, int required, int achievedBefore) {
        Throwable f = Stages.unwrap(failure);
        if (f instanceof Fanout.Lost lost) {
            return lost(operation, required, achievedBefore + lost.achieved(), lost.failedNodes());
        }
        return f instanceof RuntimeException e ? e : new IllegalStateException(f);
    }

    private QuorumNotReachedException lost(String operation, int required, int achieved, List<String> failedNodes) {
        registry.counter("gateway.quorum.failures", "operation", operation).increment();
        return new QuorumNotReachedException(operation, required, achieved, failedNodes);
    }

    /** The key's Merkle bucket. */
    public int bucket(String key) {
        return MerkleTree.bucket(key, config.merkleLeaves());
    }

    /**
     * Nodes in the order they are asked to accept a write: from a position picked by the key's hash
     * (so keys spread their first writes over all nodes), nodes with an open breaker last.
     */
    private List<ReplicaNode> preference(String key) {
        List<ReplicaNode> all = replicas.all();
        int start = Math.floorMod(key.hashCode(), all.size());
        List<ReplicaNode> closed = new ArrayList<>();
        List<ReplicaNode> open = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            ReplicaNode node = all.get((start + i) % all.size());
            (node.breakerState() == CircuitBreakerState.OPEN ? open : closed).add(node);
        }
        closed.addAll(open);
        return closed;
    }
}
