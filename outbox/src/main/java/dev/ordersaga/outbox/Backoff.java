package dev.ordersaga.outbox;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * {@code min(cap, base * 2^(n-1))}. Half is fixed so a retry never comes at once; half is random so
 * many publishers that failed together do not retry together.
 */
public final class Backoff {

    private final long baseMillis;
    private final long capMillis;

    public Backoff(Duration base, Duration cap) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap, got base=" + base + " cap=" + cap);
        }
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
    }

    /** The ceiling of the wait after {@code attempt} failed attempts (1-based). */
    public long ceilingMillis(int attempt) {
        int exponent = Math.max(0, Math.min(attempt - 1, 40));
        long raw = baseMillis << exponent;
        return raw <= 0 || raw > capMillis ? capMillis : raw;
    }

    /** The wait after {@code attempt} failed attempts, with {@code random} in [0, 1). */
    public long delayMillis(int attempt, DoubleSupplier random) {
        long ceiling = ceilingMillis(attempt);
        long half = ceiling / 2;
        return half + (long) (random.getAsDouble() * (ceiling - half));
    }
}
