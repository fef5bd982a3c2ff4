package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofMinutes(5));

    @Test
    void ceilingDoublesFromBaseUntilTheCap() {
        assertThat(backoff.ceilingMillis(1)).isEqualTo(500);
        assertThat(backoff.ceilingMillis(2)).isEqualTo(1000);
        assertThat(backoff.ceilingMillis(3)).isEqualTo(2000);
        assertThat(backoff.ceilingMillis(10)).isEqualTo(256_000);
        assertThat(backoff.ceilingMillis(11)).isEqualTo(300_000);
        assertThat(backoff.ceilingMillis(1000)).isEqualTo(300_000);
    }

    @Test
    void delayStaysBetweenHalfAndAllOfTheCeiling() {
        for (int attempt = 1; attempt <= 20; attempt++) {
            long ceiling = backoff.ceilingMillis(attempt);
            assertThat(backoff.delayMillis(attempt, () -> 0.0)).isEqualTo(ceiling / 2);
            assertThat(backoff.delayMillis(attempt, () -> 0.999999)).isBetween(ceiling - 1, ceiling);
            assertThat(backoff.delayMillis(attempt, () -> 0.5)).isBetween(ceiling / 2, ceiling);
        }
    }

    @Test
    void jitterSpreadsPublishersThatFailedTogether() {
        long a = backoff.delayMillis(5, () -> 0.1);
        long b = backoff.delayMillis(5, () -> 0.9);
        assertThat(a).isLessThan(b);
    }

    @Test
    void attemptZeroOrNegativeIsTreatedAsTheFirst() {
        assertThat(backoff.ceilingMillis(0)).isEqualTo(500);
        assertThat(backoff.ceilingMillis(-3)).isEqualTo(500);
    }

    @Test
    void rejectsABaseAboveTheCapOrNotPositive() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
