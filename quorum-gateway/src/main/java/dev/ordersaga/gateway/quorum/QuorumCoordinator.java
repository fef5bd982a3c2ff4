package dev.ordersaga.gateway.quorum;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

import dev.ordersaga.gateway.GatewayConfig;
import dev.ordersaga.gateway.clock.VectorClock;
import dev.ordersaga.gateway.hints.HintStore;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.store.Siblings;
import dev.ordersaga.gateway.store.Version;
import dev.ordersaga.gateway.store.VersionCodec;

/**
 * Coordinates one read or write over every replica: sends to all, answers as soon as the quorum
 * has answered, and finishes the rest off the response path - hints for the nodes a write missed,
 * read repair for the nodes a read found stale, removal of tombstones every node holds.
 */
@ApplicationScoped
public class QuorumCoordinator {

    private static final Logger LOG = Logger.getLogger(QuorumCoordinator.class);

    private final Replicas replicas;
    private final GatewayConfig config;
    private final HintStore hints;
    private final MeterRegistry registry;
    private final AtomicLong lastCounter = new AtomicLong();
    private final AtomicInteger repairsInFlight = new AtomicInteger();

    public QuorumCoordinator(Replicas replicas, GatewayConfig config, HintStore hints, MeterRegistry registry) {
        this.replicas = replicas;
        this.config = config;
        this.hints = hints;
        this.registry = registry;
    }

    /** What a read found: the reconciled siblings (tombstones included) and the context to write back with. */
    public record ReadResult(List<Version> versions, VectorClock context) {

        public List<Version> live() {
            return Siblings.live(versions);
        }
    }

    /**
     * A new version of {@code key} written after reading {@code context}: a fresh dot of this
     * coordinator, with a counter above every one it issued and above what the context holds for it.
     */
    public Version newVersion(VectorClock context, byte[] value, String contentType, boolean deleted) {
        long now = System.currentTimeMillis();
        long seen = context.counter(config.id());
        long counter = lastCounter.updateAndGet(last -> Math.max(Math.max(now, last + 1), seen + 1));
        return new Version(context, new Version.Dot(config.id(), counter), value, contentType, deleted, now);
    }

    /** Writes a version; completes once {@code w} nodes took it, fails with 503 when they cannot. */
    public Uni<Void> write(String key, Version version, int w) {
        String json = VersionCodec.encode(List.of(version));
        return quorum("write", w, node -> node.merge(ReplicaNode.KV + key, json, Siblings.MAX, null),
                (answers, failed) -> hintMissed(key, json, answers, failed))
                .invoke(answers -> registry.counter("gateway.writes.acknowledged").increment())
                .replaceWithVoid();
    }

    /** Reads {@code key} from {@code r} nodes and reconciles what they hold. */
    public Uni<ReadResult> read(String key, int r) {
        return quorum("read", r, node -> node.get(key).map(Optional::ofNullable),
                (answers, failed) -> repair(key, answers, failed))
                .map(answers -> {
                    List<Version> merged = reconcile(answers);
                    if (Siblings.live(merged).size() > 1) {
                        registry.counter("gateway.reads.siblings").increment();
                    }
                    return new ReadResult(merged, Siblings.context(merged));
                });
    }

    private static List<Version> reconcile(Map<Integer, Optional<String>> answers) {
        List<Version> all = new ArrayList<>();
        answers.values().forEach(raw -> all.addAll(VersionCodec.decode(raw.orElse(null))));
        return Siblings.reconcile(all);
    }

    /** Called once every node answered or failed, for a write that reached its quorum. */
    private void hintMissed(String key, String json, Map<Integer, Boolean> answers, List<Integer> failed) {
        if (failed.isEmpty() || answers.isEmpty()) {
            return;
        }
        ReplicaNode holder = replicas.all().get(answers.keySet().iterator().next());
        for (int index : failed) {
            ReplicaNode target = replicas.all().get(index);
            hints.store(holder, target, key, json).subscribe().with(
                    ok -> {
                    },
                    f -> LOG.warnf("hint for %s on %s not stored: %s", target.url(), holder.url(), f.toString()));
        }
    }

    /** Read repair and tombstone removal, bounded, after every node answered or failed. */
    private void repair(String key, Map<Integer, Optional<String>> answers, List<Integer> failed) {
        List<Version> merged = reconcile(answers);
        Map<Integer, List<Version>> seen = new HashMap<>();
        answers.forEach((i, raw) -> seen.put(i, VersionCodec.decode(raw.orElse(null))));
        List<Integer> stale = ReadRepairPlanner.stale(seen, merged);
        if (!stale.isEmpty() && !merged.isEmpty()) {
            String json = VersionCodec.encode(merged);
            for (int index : stale) {
                if (repairsInFlight.incrementAndGet() > config.maxReadRepairs()) {
                    repairsInFlight.decrementAndGet();
                    registry.counter("gateway.read.repairs.skipped").increment();
                    continue;
                }
                replicas.all().get(index).merge(ReplicaNode.KV + key, json, Siblings.MAX, null)
                        .eventually(repairsInFlight::decrementAndGet)
                        .subscribe().with(changed -> registry.counter("gateway.read.repairs").increment(),
                                f -> LOG.debugf("read repair of %s on node %d failed: %s", key, index, f));
            }
        } else if (stale.isEmpty() && failed.isEmpty() && merged.size() == 1 && merged.get(0).deleted()) {
            // Every node holds the same tombstone and nothing else: it can go.
            answers.forEach((i, raw) -> raw.ifPresent(json -> replicas.all().get(i)
                    .deleteIfEqual(ReplicaNode.KV + key, json, null)
                    .subscribe().with(d -> {
                    }, f -> {
                    })));
        }
    }

    /** A callback run once every replica has answered or failed. */
    @FunctionalInterface
    interface Completion<T> {
        void done(Map<Integer, T> answers, List<Integer> failed);
    }

    private <T> Uni<Map<Integer, T>> quorum(String operation, int required, Function<ReplicaNode, Uni<T>> call,
            Completion<T> whenAllAnswered) {
        List<ReplicaNode> nodes = replicas.all();
        return Uni.createFrom().emitter(emitter -> {
            QuorumTally tally = new QuorumTally(nodes.size(), required);
            Map<Integer, T> answers = new ConcurrentHashMap<>();
            List<Integer> failed = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean decided = new AtomicBoolean();
            AtomicBoolean reached = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            for (ReplicaNode node : nodes) {
                call.apply(node).subscribe().with(
                        item -> {
                            answers.put(node.index(), item);
                            if (tally.success() == QuorumTally.Decision.REACHED && decided.compareAndSet(false, true)) {
                                reached.set(true);
                                emitter.complete(Map.copyOf(answers));
                            } else if (tally.complete() && !reached.get() && decided.compareAndSet(false, true)) {
                                registry.counter("gateway.quorum.failures", "operation", operation).increment();
                                emitter.fail(new QuorumNotReachedException(operation, required, tally.achieved(),
                                        failed.stream().map(i -> nodes.get(i).url()).toList()));
                            }
                            finish(tally, reached, finished, answers, failed, whenAllAnswered);
                        },
                        failure -> {
                            failed.add(node.index());
                            tally.failure();
                            // A lost quorum is reported once every node answered (each within its
                            // timeout), so the problem names the final counts.
                            if (tally.complete() && !reached.get() && decided.compareAndSet(false, true)) {
                                registry.counter("gateway.quorum.failures", "operation", operation).increment();
                                emitter.fail(new QuorumNotReachedException(operation, required, tally.achieved(),
                                        failed.stream().map(i -> nodes.get(i).url()).toList()));
                            }
                            finish(tally, reached, finished, answers, failed, whenAllAnswered);
                        });
            }
        });
    }

    private static <T> void finish(QuorumTally tally, AtomicBoolean reached, AtomicBoolean finished,
            Map<Integer, T> answers, List<Integer> failed, Completion<T> whenAllAnswered) {
        if (tally.complete() && reached.get() && finished.compareAndSet(false, true)) {
            whenAllAnswered.done(Map.copyOf(answers), List.copyOf(failed));
        }
    }
}
