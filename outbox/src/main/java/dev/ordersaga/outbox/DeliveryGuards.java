package dev.ordersaga.outbox;

import java.time.Duration;

/**
 * The tunable guards of one destination's deliveries, read from the service's configuration (e.g.
 * {@code WORKER_CLIENT_TIMEOUT_MS}, {@code _RETRIES}, {@code _BREAKER_DELAY_MS}).
 *
 * @param timeout longest wait for one call
 * @param retries immediate retries of a transient failure, within one delivery attempt
 * @param breakerDelay how long the circuit breaker stays open before it lets trial calls through
 */
public record DeliveryGuards(Duration timeout, int retries, Duration breakerDelay) {

    public DeliveryGuards {
        if (timeout.isNegative() || timeout.isZero() || breakerDelay.isNegative() || breakerDelay.isZero() || retries < 0) {
            throw new IllegalArgumentException("guards need a positive timeout and breaker delay, and retries >= 0");
        }
    }

    public static DeliveryGuards ofMillis(long timeoutMs, int retries, long breakerDelayMs) {
        return new DeliveryGuards(Duration.ofMillis(timeoutMs), retries, Duration.ofMillis(breakerDelayMs));
    }
}
