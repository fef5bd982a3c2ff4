package dev.ordersaga.outbox.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import dev.ordersaga.testsupport.PostgresServer;

/**
 * Two replicas starting together on an empty database: both run the service's and the outbox's
 * migrations at once, each with its own connections, as two processes would. Each round a new database.
 */
class MigrationsTest {

    /** Without the lock, 40 rounds end in Flyway's "Unable to baseline schema history table" (the race). */
    private static final int ROUNDS = 40;

    private static PostgresServer postgres;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start(0, null);
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @Test
    void replicasMigratingAnEmptyDatabaseTogetherBothStartAndEachMigrationRunsOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String db = "migrations_" + round;
                postgres.createDatabase(db, "m" + round, "secret");
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<?>> replicas = new ArrayList<>();
                for (int replica = 0; replica < 2; replica++) {
                    PGSimpleDataSource source = source(db, round);
                    replicas.add(pool.submit(() -> {
                        together.await(30, TimeUnit.SECONDS);
                        Migrations.migrate(source, List.of(
                                flyway(source, "db/test", "flyway_schema_history"),
                                flyway(source, "db/outbox", "outbox_schema_history")));
                        return null;
                    }));
                }
                for (Future<?> f : replicas) {
                    f.get(120, TimeUnit.SECONDS); // a replica whose migration failed throws here
                }
                assertThat(postgres.number(db, "SELECT count(*) FROM outbox_schema_history WHERE success AND version = '1'"))
                        .isEqualTo(1);
                assertThat(postgres.number(db, "SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'"))
                        .isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static PGSimpleDataSource source(String db, int round) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(postgres.jdbcUrl(db));
        source.setUser("m" + round);
        source.setPassword("secret");
        return source;
    }

    /** A migration set configured as the services configure theirs (an empty baseline for the second history). */
    private static Flyway flyway(PGSimpleDataSource source, String location, String table) {
        return Flyway.configure().dataSource(source).locations(location).table(table)
                .baselineOnMigrate(true).baselineVersion("0").load();
    }
}
