package dev.ordersaga.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts one real PostgreSQL for the test JVM and gives the Quarkus app under test its own
 * database. Init arg {@code database} names it (default {@code app}).
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private static PostgresServer server;
    private String database = "app";

    /** The server of this test JVM, for assertions made straight on the database. */
    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.start(0, null);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer pg = server();
        pg.createDatabase(database, database, database);
        return Map.of(
                "quarkus.datasource.reactive.url", pg.reactiveUrl(database),
                "quarkus.datasource.username", database,
                "quarkus.datasource.password", database);
    }

    @Override
    public void stop() {
        // The server is shared by every test class of the JVM and stops with it.
    }
}
