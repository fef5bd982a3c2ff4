package dev.ordersaga.outbox;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.StartupEvent;

import dev.ordersaga.http.config.ConfigCheck;
import dev.ordersaga.http.config.Durations;

/** Checks the outbox settings when the service starts: a bad value stops it with a line naming the variable. */
@ApplicationScoped
public class OutboxStartupCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, OutboxConfig config) {
        check(new ConfigCheck("outbox"), config).orFail();
    }

    /** Adds every problem of {@code config} to {@code check}. */
    public static ConfigCheck check(ConfigCheck check, OutboxConfig config) {
        positive(check, "OUTBOX_LEASE", config.lease());
        positive(check, "OUTBOX_BACKOFF_BASE", config.backoffBase());
        positive(check, "OUTBOX_BACKOFF_CAP", config.backoffCap());
        check.require(config.backoffBase().compareTo(config.backoffCap()) <= 0, "OUTBOX_BACKOFF_BASE",
                config.backoffBase(), "must not exceed OUTBOX_BACKOFF_CAP (" + config.backoffCap() + ")");
        check.require(config.retention().compareTo(Duration.ofMinutes(1)) >= 0, "OUTBOX_RETENTION", config.retention(),
                "must be at least one minute");
        check.attempt(() -> Durations.positive("OUTBOX_POLL_EVERY", config.pollEvery()));
        check.attempt(() -> Durations.positive("OUTBOX_METRICS_EVERY", config.metricsEvery()));
        check.attempt(() -> Durations.positive("OUTBOX_CLEANUP_EVERY", config.cleanupEvery()));
        return check;
    }

    private static void positive(ConfigCheck check, String variable, Duration value) {
        check.require(!value.isNegative() && !value.isZero(), variable, value, "must be a positive duration");
    }
}
