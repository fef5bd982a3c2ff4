package dev.ordersaga.gateway.hints;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.ordersaga.gateway.node.ReplicaNode;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.gateway.store.Siblings;

/**
 * Hinted handoff. A write a node missed is kept on a live node, in the hash
 * {@code hints:<url of the node it is for>}, one field per key, merged with the same script as
 * values (so several missed writes of one key keep their siblings). Hints live in Redis, so a
 * gateway restart loses none. A scheduled job replays them to their node once it answers, and
 * drops each only if it did not change meanwhile; replay merges, so it is idempotent.
 */
@ApplicationScoped
public class HintStore {

    private static final Logger LOG = Logger.getLogger(HintStore.class);
    private static final int PAGE = 500;

    private final Replicas replicas;
    private final AtomicLong backlog = new AtomicLong();
    private final Counter stored;
    private final Counter replayed;

    public HintStore(Replicas replicas, MeterRegistry registry) {
        this.replicas = replicas;
        this.stored = Counter.builder("gateway.hints.stored").register(registry);
        this.replayed = Counter.builder("gateway.hints.replayed").register(registry);
        Gauge.builder("gateway.hints.pending", backlog, AtomicLong::get).register(registry);
    }

    /** Keeps {@code versionsJson} of {@code key} for {@code target} on {@code holder}. */
    public Uni<Void> store(ReplicaNode holder, ReplicaNode target, String key, String versionsJson) {
        return holder.merge(ReplicaNode.HINTS + target.url(), versionsJson, Siblings.MAX, key)
                .invoke(changed -> stored.increment())
                .replaceWithVoid();
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
                .onItem().transformToUniAndConcatenate(target -> Multi.createFrom().iterable(nodes)
                        .filter(holder -> holder != target)
                        .onItem().transformToUniAndConcatenate(holder -> replay(holder, target, "0", 0L)
                                .onFailure().recoverWithItem(0L))
                        .collect().with(java.util.stream.Collectors.summingLong(Long::longValue)))
                .collect().with(java.util.stream.Collectors.summingLong(Long::longValue))
                .call(count -> refreshBacklog())
                .invoke(count -> {
                    if (count > 0) {
                        LOG.infof("replayed %d hint(s)", count);
                    }
                });
    }

    private Uni<Long> replay(ReplicaNode holder, ReplicaNode target, String cursor, long soFar) {
        String hash = ReplicaNode.HINTS + target.url();
        return holder.hscan(hash, cursor, PAGE)
                .onItem().transformToUni(page -> {
                    String next = page.get(0).toString();
                    Response entries = page.get(1);
                    return Multi.createFrom().range(0, entries.size() / 2)
                            .onItem().transformToUni(i -> deliver(holder, target, hash,
                                    entries.get(2 * i).toString(), entries.get(2 * i + 1).toString()))
                            .merge(16)
                            .collect().with(java.util.stream.Collectors.summingLong(Long::longValue))
                            .onItem().transformToUni(n -> "0".equals(next)
                                    ? Uni.createFrom().item(soFar + n)
                                    : replay(holder, target, next, soFar + n));
                });
    }

    private Uni<Long> deliver(ReplicaNode holder, ReplicaNode target, String hash, String key, String versions) {
        return target.merge(ReplicaNode.KV + key, versions, Siblings.MAX, null)
                .chain(() -> holder.deleteIfEqual(hash, versions, key))
                .invoke(() -> replayed.increment())
                .replaceWith(1L);
    }

    /** Hints waiting, summed over every holder and target (holders that do not answer count as 0). */
    public Uni<Long> refreshBacklog() {
        List<ReplicaNode> nodes = replicas.all();
        return Multi.createFrom().iterable(nodes)
                .onItem().transformToUniAndMerge(holder -> Multi.createFrom().iterable(nodes)
                        .filter(target -> target != holder)
                        .onItem().transformToUniAndMerge(target -> holder.hlen(ReplicaNode.HINTS + target.url())
                                .onFailure().recoverWithItem(0L))
                        .collect().with(java.util.stream.Collectors.summingLong(Long::longValue)))
                .collect().with(java.util.stream.Collectors.summingLong(Long::longValue))
                .invoke(backlog::set);
    }

    /** Hints waiting for {@code target}, summed over the holders that answer. */
    public Uni<Long> backlogFor(ReplicaNode target) {
        return Multi.createFrom().iterable(replicas.all())
                .filter(holder -> holder != target)
                .onItem().transformToUniAndMerge(holder -> holder.hlen(ReplicaNode.HINTS + target.url())
                        .onFailure().recoverWithItem(0L))
                .collect().with(java.util.stream.Collectors.summingLong(Long::longValue));
    }
}
