package dev.ordersaga.outbox.database;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

import dev.ordersaga.http.RequestDeadline;
import dev.ordersaga.http.config.ConfigCheck;

/**
 * Checks the database bounds when the service starts: each is positive, and a request that waits for
 * a connection and then for its statement gets the database's answer before the request deadline.
 */
@ApplicationScoped
public class DatabaseStartupCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, DatabaseConfig config,
            @ConfigProperty(name = "http.request-deadline", defaultValue = "9s") String deadline,
            @ConfigProperty(name = "quarkus.http.idle-timeout") Duration httpIdle) {
        check(new ConfigCheck("database"), config, RequestDeadline.check(deadline, httpIdle)).orFail();
    }

    /** Adds every problem of {@code config} to {@code check}. */
    public static ConfigCheck check(ConfigCheck check, DatabaseConfig config, Duration requestDeadline) {
        positive(check, "DATABASE_CONNECT_TIMEOUT", config.connectTimeout());
        positive(check, "DATABASE_QUERY_TIMEOUT", config.queryTimeout());
        positive(check, "DATABASE_POOL_WAIT", config.poolWait());
        positive(check, "DATABASE_READY_TIMEOUT", config.readyTimeout());
        Duration worst = config.poolWait().plus(config.queryTimeout());
        check.require(worst.compareTo(requestDeadline) < 0, "DATABASE_POOL_WAIT + DATABASE_QUERY_TIMEOUT", worst,
                "must be shorter than " + RequestDeadline.VARIABLE + " (" + requestDeadline + "), so that a request the "
                        + "database holds up gets the database's 503");
        return check;
    }

    private static void positive(ConfigCheck check, String variable, Duration value) {
        check.require(!value.isNegative() && !value.isZero(), variable, value, "must be a positive duration");
    }
}
