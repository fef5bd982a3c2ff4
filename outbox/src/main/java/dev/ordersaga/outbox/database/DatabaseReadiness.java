package dev.ordersaga.outbox.database;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Readiness follows the service's own database: {@code SELECT 1} through the pool, answered within
 * {@code DATABASE_READY_TIMEOUT} either way. So Kubernetes takes a pod that cannot reach its
 * database out of service, and puts it back once the pool serves again, and the probe never hangs.
 * Liveness does not depend on it (a partition is not a reason to restart).
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements AsyncHealthCheck {

    static final String NAME = "database";

    private final Pool pool;
    private final DatabaseConfig config;

    public DatabaseReadiness(Pool pool, DatabaseConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT 1").execute()
                .ifNoItem().after(config.readyTimeout()).fail()
                .map(rows -> HealthCheckResponse.up(NAME))
                .onFailure().recoverWithItem(DatabaseReadiness::down);
    }

    private static HealthCheckResponse down(Throwable failure) {
        String reason = failure instanceof TimeoutException
                ? "no answer within DATABASE_READY_TIMEOUT"
                : String.valueOf(failure.getMessage());
        return HealthCheckResponse.named(NAME).down().withData("reason", reason).build();
    }
}
