package dev.ordersaga.gateway.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.vertx.core.buffer.Buffer;

/**
 * The hints a node kept for writes it accepted, dropped once the other nodes took those writes: the
 * drops of many writes go to the node together, in one script call. A call is sent as soon as none
 * is in flight; the drops that arrive meanwhile wait for it to end and go in the next one, so under
 * load each call carries the drops of many writes and when idle a drop waits for nothing. Drops are
 * off the response path and only ever remove a hint that still holds exactly the state written: one
 * that waits, whose call fails, or that finds {@value #MAX_WAITING} drops waiting already (a node too slow
 * to take them), is replayed later instead, which is harmless (replay is idempotent).
 */
final class HintDrops {

    private static final Logger LOG = Logger.getLogger(HintDrops.class);
    /** Most writes' drops per call. */
    static final int MAX_WRITES = 128;
    /** Most writes' drops waiting; past it a write's hints are left to replay (a node too slow to take the drops). */
    static final int MAX_WAITING = 65_536;

    /** The drops of one write: its key, the state it wrote, and the nodes that took it. */
    record Drop(String key, Buffer state, List<String> targets) {
    }

    private final ReplicaNode node;
    private final Queue<Drop> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicInteger count = new AtomicInteger();

    HintDrops(ReplicaNode node) {
        this.node = node;
    }

    void add(Drop drop) {
        if (count.incrementAndGet() > MAX_WAITING) {
            count.decrementAndGet();
            return;
        }
        waiting.add(drop);
        sendIfIdle();
    }

    private void sendIfIdle() {
        while (!waiting.isEmpty() && sending.compareAndSet(false, true)) {
            List<Drop> batch = take();
            if (batch.isEmpty()) {
                sending.set(false);
                continue;
            }
            node.dropHints(batch).whenComplete((dropped, failure) -> {
                if (failure != null) {
                    LOG.debugf("hints of %d write(s) on %s not dropped (replayed later): %s", batch.size(), node.url(),
                            Stages.unwrap(failure));
                }
                sending.set(false);
                sendIfIdle();
            });
            return;
        }
    }

    /** Up to {@link #MAX_WRITES} waiting drops, and no more state bytes than a small command carries (but at least one). */
    private List<Drop> take() {
        List<Drop> batch = new ArrayList<>();
        int bytes = 0;
        Drop next;
        while (batch.size() < MAX_WRITES && (next = waiting.peek()) != null
                && (batch.isEmpty() || bytes + next.state().length() <= ReplicaNode.BULK_BYTES)) {
            batch.add(waiting.poll());
            count.decrementAndGet();
            bytes += next.state().length();
        }
        return batch;
    }
}
