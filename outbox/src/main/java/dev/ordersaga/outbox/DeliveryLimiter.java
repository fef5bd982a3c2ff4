package dev.ordersaga.outbox;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Bounds the deliveries in flight to one destination. Past the bound, deliveries wait in memory
 * (their rows stay claimed under a lease) instead of piling onto a peer that is already slow, which
 * would push every call past its timeout and open the circuit breaker for all of them.
 *
 * <p>The wait is outside the fault-tolerance guards on purpose: a timeout measures the call, not
 * the queue in front of it.
 */
final class DeliveryLimiter {

    private final int permits;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean draining;

    DeliveryLimiter(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1");
        }
        this.permits = permits;
    }

    /** Runs {@code call} once a permit is free, and frees it when the call ends, however it ends. */
    <T> Uni<T> run(Supplier<Uni<T>> call) {
        return Uni.createFrom().emitter(emitter -> acquire(() -> start(call, emitter)));
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    private <T> void start(Supplier<Uni<T>> call, UniEmitter<? super T> emitter) {
        Uni<T> uni;
        try {
            uni = call.get();
        } catch (RuntimeException e) {
            release();
            emitter.fail(e);
            return;
        }
        uni.subscribe().with(
                item -> {
                    release();
                    emitter.complete(item);
                },
                failure -> {
                    release();
                    emitter.fail(failure);
                });
    }

    private void acquire(Runnable task) {
        synchronized (this) {
            waiting.add(task);
        }
        drain();
    }

    private void release() {
        synchronized (this) {
            inFlight--;
        }
        drain();
    }

    /**
     * Starts waiting calls while permits are free. A loop, not recursion: a call that ends at once
     * (an open circuit breaker) releases inside {@code run()}, and the loop picks up the next one.
     */
    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                if (draining || inFlight >= permits || waiting.isEmpty()) {
                    return;
                }
                draining = true;
                inFlight++;
                next = waiting.poll();
            }
            try {
                next.run();
            } finally {
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }
}
