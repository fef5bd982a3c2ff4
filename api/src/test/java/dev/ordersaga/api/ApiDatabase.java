package dev.ordersaga.api;

import java.util.List;
import java.util.Map;

import dev.ordersaga.testsupport.PostgresResource;
import dev.ordersaga.testsupport.PostgresServer;

/** Straight SQL on the api's test database, for assertions on what was (not) written. */
public final class ApiDatabase {

    /** Database name given to {@link PostgresResource}. */
    public static final String NAME = "api_test";

    private ApiDatabase() {
    }

    private static PostgresServer pg() {
        return PostgresResource.server();
    }

    public static long count(String sql, Object... args) {
        return pg().number(NAME, sql, args);
    }

    public static List<Map<String, Object>> rows(String sql, Object... args) {
        return pg().query(NAME, sql, args);
    }

    public static int update(String sql, Object... args) {
        return pg().update(NAME, sql, args);
    }

    /** Rows of orders, outbox and inbox: what a refused request must leave unchanged. */
    public static long writes() {
        return count("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM inbox)");
    }
}
