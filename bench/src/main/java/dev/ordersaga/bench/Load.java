package dev.ordersaga.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.Supplier;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Closed- and open-loop HTTP load for the benchmarks, with latency percentiles (HdrHistogram, microseconds). */
final class Load {

    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final Vertx vertx;

    Load(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Latencies, successes and errors of one phase. */
    record Result(Histogram latencies, long ok, long errors, double seconds) {
        double rate() {
            return ok / seconds;
        }

        /** The latency at {@code percentile}, in milliseconds. */
        double p(double percentile) {
            if (latencies.getTotalCount() == 0) {
                return Double.NaN;
            }
            return latencies.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private static Histogram histogram() {
        return new ConcurrentHistogram(MAX_MICROS, 3);
    }

    /** {@code concurrency} clients, each sending its next request when the previous one answered. */
    Result closedLoop(int concurrency, Duration duration, Supplier<Future<Integer>> request, IntPredicate ok)
            throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        return drive(concurrency, n -> System.nanoTime() < end, n -> request.get(), ok, duration.toSeconds() + 60);
    }

    /** Exactly {@code total} requests from {@code concurrency} clients; returns when all have answered. */
    Result fixedCount(int concurrency, long total, LongFunction<Future<Integer>> request, IntPredicate ok)
            throws Exception {
        return drive(concurrency, n -> n < total, request, ok, 300);
    }

    /** Closed-loop clients that send request number n while {@code more} says so. */
    private Result drive(int concurrency, LongPredicate more, LongFunction<Future<Integer>> request, IntPredicate ok,
            long timeoutSeconds) throws Exception {
        Histogram latencies = histogram();
        AtomicLong okCount = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        List<CompletableFuture<Void>> users = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            users.add(done);
            vertx.runOnContext(v -> next(more, issued, request, ok, latencies, okCount, errors, done));
        }
        CompletableFuture.allOf(users.toArray(CompletableFuture[]::new)).get(timeoutSeconds, TimeUnit.SECONDS);
        return new Result(latencies, okCount.get(), errors.get(), (System.nanoTime() - start) / 1e9);
    }

    private void next(LongPredicate more, AtomicLong issued, LongFunction<Future<Integer>> request, IntPredicate ok,
            Histogram latencies, AtomicLong okCount, AtomicLong errors, CompletableFuture<Void> done) {
        long n = issued.getAndIncrement();
        if (!more.test(n)) {
            done.complete(null);
            return;
        }
        long sent = System.nanoTime();
        request.apply(n).onComplete(r -> {
            if (r.succeeded() && ok.test(r.result())) {
                okCount.incrementAndGet();
                latencies.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - sent) / 1000));
            } else {
                errors.incrementAndGet();
            }
            next(more, issued, request, ok, latencies, okCount, errors, done);
        });
    }

    /** A fixed rate; latency counts from each request's intended start (no coordinated omission). */
    Result openLoop(double rate, Duration duration, Supplier<Future<Integer>> request, IntPredicate ok)
            throws Exception {
        Histogram latencies = histogram();
        AtomicLong okCount = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong issued = new AtomicLong();
        AtomicLong finished = new AtomicLong();
        long total = (long) (rate * duration.toSeconds());
        long start = System.nanoTime();
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.setPeriodic(1, id -> {
            long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate));
            while (issued.get() < due) {
                long n = issued.getAndIncrement();
                long intended = start + (long) (n / rate * 1e9);
                request.get().onComplete(r -> {
                    if (r.succeeded() && ok.test(r.result())) {
                        okCount.incrementAndGet();
                        latencies.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - intended) / 1000));
                    } else {
                        errors.incrementAndGet();
                    }
                    if (finished.incrementAndGet() == total) {
                        done.complete(null);
                    }
                });
            }
            if (issued.get() >= total) {
                vertx.cancelTimer(id);
            }
        });
        done.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        return new Result(latencies, okCount.get(), errors.get(), duration.toSeconds());
    }
}
