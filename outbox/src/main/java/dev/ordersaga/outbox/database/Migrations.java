package dev.ordersaga.outbox.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.flywaydb.core.Flyway;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.flyway.FlywayDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs the service's migrations and the outbox's when the service starts, one replica at a time:
 * under a PostgreSQL session advisory lock. Replicas that start together on an empty database would
 * otherwise race between one creating a schema history table and the other finding it empty (Flyway
 * then refuses to baseline, and the replica fails to start); the one that waits finds the migrations
 * done.
 */
@ApplicationScoped
public class Migrations {

    /** The advisory lock's key, the same in every service of a database ("ordersaga" in ASCII, truncated). */
    static final long LOCK = 0x6f72646572736167L;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 1) StartupEvent event,
            @DataSource("outbox") AgroalDataSource lockSource, Flyway service, @FlywayDataSource("outbox") Flyway outbox) {
        migrate(lockSource, List.of(service, outbox));
    }

    /** Runs {@code migrations} in order while holding the lock on a connection of {@code lockSource}. */
    public static void migrate(javax.sql.DataSource lockSource, List<Flyway> migrations) {
        try (Connection c = lockSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + LOCK + ")");
            try {
                migrations.forEach(Flyway::migrate);
            } finally {
                s.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the migration lock of the database", e);
        }
    }
}
