package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

class DeliveryLimiterTest {

    @Test
    void neverRunsMoreThanItsPermitsAndRunsTheRestAsSlotsFree() {
        DeliveryLimiter limiter = new DeliveryLimiter(2);
        List<UniEmitter<? super String>> calls = new ArrayList<>();
        AtomicInteger completed = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            limiter.run(() -> Uni.createFrom().<String>emitter(calls::add))
                    .subscribe().with(v -> completed.incrementAndGet());
        }
        assertThat(calls).hasSize(2);
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.waiting()).isEqualTo(3);

        calls.get(0).complete("a");
        assertThat(calls).hasSize(3);
        calls.get(1).fail(new RuntimeException("peer down"));
        calls.get(2).complete("c");
        assertThat(calls).hasSize(5);
        calls.get(3).complete("d");
        calls.get(4).complete("e");
        assertThat(completed.get()).isEqualTo(4);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void manyCallsThatFailAtOnceDoNotOverflowTheStack() {
        DeliveryLimiter limiter = new DeliveryLimiter(1);
        List<UniEmitter<? super String>> first = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        limiter.run(() -> Uni.createFrom().<String>emitter(first::add)).subscribe().with(v -> {
        });
        for (int i = 0; i < 100_000; i++) {
            limiter.run(() -> Uni.createFrom().<String>failure(new RuntimeException("circuit open")))
                    .subscribe().with(v -> {
                    }, f -> failures.incrementAndGet());
        }
        first.get(0).complete("done");
        assertThat(failures.get()).isEqualTo(100_000);
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void aCallThatThrowsBeforeItStartsStillFreesItsSlot() {
        DeliveryLimiter limiter = new DeliveryLimiter(1);
        AtomicInteger failures = new AtomicInteger();
        limiter.run(() -> {
            throw new IllegalStateException("boom");
        }).subscribe().with(v -> {
        }, f -> failures.incrementAndGet());
        assertThat(failures.get()).isEqualTo(1);
        assertThat(limiter.inFlight()).isZero();
    }
}
