package dev.ordersaga.outbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * The messages waiting for one destination, and the batches in flight to it: natural batching. A
 * batch leaves as soon as a send slot is free (at most {@code OUTBOX_MAX_IN_FLIGHT} at once) and
 * carries whatever waits at that moment, up to {@code OUTBOX_BATCH_MAX} messages and
 * {@code OUTBOX_BATCH_BYTES}; it never waits to fill up. At a low rate a batch is one message (no
 * added latency); under load, messages gather while the slots are busy and batches grow, so the cost
 * of a request, a transaction and a commit is shared by many messages.
 *
 * <p>The batch size adapts to what the destination can take within its timeout (additive increase,
 * multiplicative decrease): a batch that timed out halves the largest batch, each batch answered in
 * time lets it grow by one, up to {@code OUTBOX_BATCH_MAX}. So a destination slowed by load gets
 * batches it can finish instead of ever larger ones that time out and are all sent again.
 *
 * <p>A message is in the lane once: a row claimed again while it still waits here or is in flight
 * (its lease ran out while the lane was busy) is not sent a second time; its second sender waits for
 * the first send's outcome. The publisher renews the lease of every message the lane holds
 * ({@link #ids()}), so that rarely happens.
 */
final class DeliveryLane {

    /** One message waiting in the lane, and what its sender waits on. */
    record Item(OutboxMessage row, Envelope envelope, int bytes, CompletableFuture<Void> done) {
    }

    private final ArrayDeque<Item> waiting = new ArrayDeque<>();
    /** Every message waiting or in flight, by id. */
    private final Map<UUID, Item> present = new HashMap<>();
    private final int maxInFlight;
    private final int maxMessages;
    private final long maxBytes;
    private final Function<List<Item>, Uni<Void>> send;
    private int inFlight;
    /** The largest batch for now: between 1 and {@code maxMessages}. */
    private int limit;

    /** {@code send} delivers one batch and records what became of each message; it must not fail. */
    DeliveryLane(int maxInFlight, int maxMessages, long maxBytes, Function<List<Item>, Uni<Void>> send) {
        this.maxInFlight = maxInFlight;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.send = send;
        this.limit = maxMessages;
    }

    /** A batch timed out: the next ones are at most half its size. */
    synchronized void timedOut(int batchSize) {
        limit = Math.max(1, Math.min(limit, batchSize) / 2);
    }

    /** A batch was answered in time: the next may be one larger. */
    synchronized void answered() {
        limit = Math.min(maxMessages, limit + 1);
    }

    /** The largest batch for now. */
    synchronized int limit() {
        return limit;
    }

    /**
     * Adds messages; they leave in the next batches. A message the lane already holds is not added
     * again: its {@code done} completes when the held one's does.
     */
    void offer(List<Item> items) {
        List<Item[]> again = new ArrayList<>();
        synchronized (this) {
            for (Item item : items) {
                UUID id = item.row() == null ? null : item.row().id();
                Item held = id == null ? null : present.putIfAbsent(id, item);
                if (held == null) {
                    waiting.add(item);
                } else {
                    again.add(new Item[] { held, item });
                }
            }
        }
        for (Item[] pair : again) {
            pair[0].done().whenComplete((v, f) -> pair[1].done().complete(null));
        }
        pump();
    }

    /** The ids of the messages waiting or in flight. */
    synchronized List<UUID> ids() {
        return List.copyOf(present.keySet());
    }

    /** Messages waiting for a send slot. */
    synchronized int waiting() {
        return waiting.size();
    }

    private void pump() {
        List<List<Item>> batches = new ArrayList<>();
        synchronized (this) {
            while (inFlight < maxInFlight && !waiting.isEmpty()) {
                List<Item> batch = new ArrayList<>();
                long bytes = 0;
                while (!waiting.isEmpty() && batch.size() < limit
                        && (batch.isEmpty() || bytes + waiting.peek().bytes() <= maxBytes)) {
                    Item next = waiting.poll();
                    batch.add(next);
                    bytes += next.bytes();
                }
                inFlight++;
                batches.add(batch);
            }
        }
        for (List<Item> batch : batches) {
            send.apply(batch).subscribe().with(v -> finished(batch), f -> finished(batch));
        }
    }

    private void finished(List<Item> batch) {
        synchronized (this) {
            inFlight--;
            for (Item item : batch) {
                if (item.row() != null) {
                    present.remove(item.row().id(), item);
                }
            }
        }
        batch.forEach(i -> i.done().complete(null));
        pump();
    }
}
