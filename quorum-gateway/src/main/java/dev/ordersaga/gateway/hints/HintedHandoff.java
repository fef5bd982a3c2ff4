package dev.ordersaga.gateway.hints;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;

import dev.ordersaga.gateway.antientropy.MerkleTree;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;

/**
 * Hinted handoff. A write a node missed is kept, as the key's state, in the hash
 * {@code hints:<url of the node it is for>} of every node that took the write, so losing one
 * node's disk loses no hint, and no gateway restart does either. A scheduled job joins each hint
 * into its node once that node answers, then drops it only if it did not change meanwhile; joins
 * are idempotent, so a hint replayed twice (from two holders) does no harm.
 */
@Startup
@ApplicationScoped
public class HintedHandoff {

    private static final Logger LOG = Logger.getLogger(HintedHandoff.class);
    private static final int PAGE = 1000;
    /** Hints joined into their node in one call, and the most bytes of state such a call carries. */
    private static final int CHUNK = 100;
    private static final long CHUNK_BYTES = 1024 * 1024;
    private static final int CHUNKS_IN_FLIGHT = 4;

    private final Replicas replicas;
    private final GatewayConfig config;
    private final AtomicLong backlog = new AtomicLong();
    private final Counter stored;
    private final Counter replayed;

    public HintedHandoff(Replicas replicas, GatewayConfig config, MeterRegistry registry) {
        this.replicas = replicas;
        this.config = config;
        this.stored = Counter.builder("gateway.hints.stored")
                .description("Writes a node missed, kept as hints (each counted once, however many nodes keep it)")
                .register(registry);
        this.replayed = Counter.builder("gateway.hints.replayed").register(registry);
        Gauge.builder("gateway.hints.pending", backlog, AtomicLong::get)
                .description("Hints waiting for their node (each counted once)").register(registry);
    }

    /** Keeps {@code state} of {@code key} for {@code target} on every holder; runs in the background. */
    public void store(List<ReplicaNode> holders, ReplicaNode target, String key, Buffer state) {
        stored.increment();
        for (ReplicaNode holder : holders) {
            holder.joinHint(target.url(), key, state).subscribe().with(changed -> {
            }, f -> LOG.warnf("hint for %s not kept on %s: %s", target.url(), holder.url(), f.toString()));
        }
    }

    @Scheduled(every = "{gateway.hints-replay-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> replayOnSchedule() {
        return replayAll().onFailure().recoverWithItem(0L).replaceWithVoid();
    }

    /** Replays every hint whose node answers; returns how many were delivered. */
    public Uni<Long> replayAll() {
        List<ReplicaNode> nodes = replicas.all();
        return Multi.createFrom().iterable(nodes)
                .filter(target -> target.breakerState() != CircuitBreakerState.OPEN)
                .onItem().transformToUniAndConcatenate(target -> Multi.createFrom().iterable(nodes)
                        .filter(holder -> holder != target)
                        .onItem().transformToUniAndConcatenate(holder -> replay(holder, target, "0", 0L)
                                .onFailure().recoverWithItem(0L))
                        .collect().with(Collectors.summingLong(Long::longValue)))
                .collect().with(Collectors.summingLong(Long::longValue))
                .call(count -> refreshBacklog())
                .invoke(count -> {
                    if (count > 0) {
                        LOG.infof("replayed %d hint(s)", count);
                    }
                });
    }

    private Uni<Long> replay(ReplicaNode holder, ReplicaNode target, String cursor, long soFar) {
        return holder.command(Command.HSCAN, ReplicaNode.HINTS + target.url(), cursor, "COUNT", PAGE)
                .onItem().transformToUni(page -> {
                    String next = page.get(0).toString();
                    return Multi.createFrom().iterable(chunks(page.get(1)))
                            .onItem().transformToUni(chunk -> deliver(holder, target, chunk))
                            .merge(CHUNKS_IN_FLIGHT)
                            .collect().with(Collectors.summingLong(Long::longValue))
                            .onItem().transformToUni(n -> "0".equals(next)
                                    ? Uni.createFrom().item(soFar + n)
                                    : replay(holder, target, next, soFar + n));
                });
    }

    /** A page of hints (HSCAN's key, state, key, state...) cut into chunks of at most {@link #CHUNK} hints and {@link #CHUNK_BYTES}. */
    private static List<Chunk> chunks(Response entries) {
        List<Chunk> chunks = new ArrayList<>();
        Chunk chunk = new Chunk();
        for (int i = 0; i + 1 < entries.size(); i += 2) {
            Buffer state = entries.get(i + 1).toBuffer();
            if (!chunk.keys.isEmpty() && (chunk.keys.size() == CHUNK || chunk.bytes + state.length() > CHUNK_BYTES)) {
                chunks.add(chunk);
                chunk = new Chunk();
            }
            chunk.add(entries.get(i).toString(), state);
        }
        if (!chunk.keys.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    /** Hints replayed in one call: their keys and the states the holder keeps. */
    private static final class Chunk {
        final List<String> keys = new ArrayList<>();
        final List<Buffer> states = new ArrayList<>();
        long bytes;

        void add(String key, Buffer state) {
            keys.add(key);
            states.add(state);
            bytes += state.length();
        }
    }

    /**
     * Joins a chunk of hints into their node in one call, then drops them from every holder that keeps
     * exactly the same states (the other holders of the same writes), so each hint is replayed once.
     */
    private Uni<Long> deliver(ReplicaNode holder, ReplicaNode target, Chunk chunk) {
        int leaves = config.merkleLeaves();
        List<Integer> buckets = chunk.keys.stream().map(k -> MerkleTree.bucket(k, leaves)).toList();
        return target.joinAll(leaves, chunk.keys, buckets, chunk.states)
                .chain(() -> holder.dropHintsOf(target.url(), chunk.keys, chunk.states))
                .invoke(dropped -> replayed.increment(chunk.keys.size()))
                .invoke(dropped -> replicas.all().stream().filter(other -> other != holder && other != target)
                        .forEach(other -> other.dropHintsOf(target.url(), chunk.keys, chunk.states).subscribe().with(x -> {
                        }, f -> {
                        })))
                .replaceWith((long) chunk.keys.size());
    }

    /**
     * Refreshes the backlog gauge: per node, the most hints any holder keeps for it. Null (and the
     * gauge left as it was) when a holder did not answer, since its hints cannot be counted.
     */
    public Uni<Long> refreshBacklog() {
        return Multi.createFrom().iterable(replicas.all())
                .onItem().transformToUniAndMerge(this::backlogFor)
                .collect().with(Collectors.summingLong(Long::longValue))
                .invoke(backlog::set)
                .onFailure().recoverWithNull();
    }

    /**
     * Hints waiting for {@code target}, each counted once: every holder of a write keeps the same
     * hint, so this is the largest count any holder keeps. Fails when a holder does not answer.
     */
    public Uni<Long> backlogFor(ReplicaNode target) {
        return Multi.createFrom().iterable(replicas.all())
                .filter(holder -> holder != target)
                .onItem().transformToUniAndMerge(holder -> holder.command(Command.HLEN, ReplicaNode.HINTS + target.url())
                        .map(Response::toLong))
                .collect().with(Collectors.reducing(0L, Math::max));
    }
}
