package dev.ordersaga.outbox.database;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Singleton;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

/**
 * The service's PostgreSQL pool, built so that it survives partitions. Quarkus's reactive pool, as
 * configured, with bounds the Vert.x defaults do not have:
 * <ul>
 * <li>a connect timeout ({@code DATABASE_CONNECT_TIMEOUT});</li>
 * <li>a read-idle timeout on every connection ({@code DATABASE_QUERY_TIMEOUT}): a connection that
 * waits that long for any byte of PostgreSQL is closed. A partition that swallows packets leaves
 * connections open and unanswered (a start-up message, a query); without this bound they would hold
 * their pool slots for good, and the pool would stay wedged after the partition healed;</li>
 * <li>a bounded wait for a free connection ({@code DATABASE_POOL_WAIT}) instead of 30 s;</li>
 * <li>idle connections retired after half the read-idle timeout, well before the read-idle bound
 * could close one just handed to a request.</li>
 * </ul>
 * Failures these bounds cause are connection failures, answered 503 with {@code Retry-After}.
 */
@Singleton
public class DatabasePool implements PgPoolCreator {

    private final DatabaseConfig config;

    public DatabasePool(DatabaseConfig config) {
        this.config = config;
    }

    @Override
    public Pool create(Input input) {
        int queryMs = millis(config.queryTimeout());
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setConnectTimeout(millis(config.connectTimeout()));
            options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
            options.setReadIdleTimeout(queryMs);
            options.setTcpKeepAlive(true);
        }
        PoolOptions pool = input.poolOptions()
                .setConnectionTimeout(millis(config.poolWait()))
                .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                .setIdleTimeout(Math.max(1, queryMs / 2))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setPoolCleanerPeriod(Math.max(100, Math.min(1000, queryMs / 10)));
        return PgBuilder.pool()
                .with(pool)
                .connectingTo(List.<SqlConnectOptions> copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
