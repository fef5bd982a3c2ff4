package dev.ordersaga.outbox;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ordersaga.testsupport.PostgresResource;

/** Straight SQL on the outbox tests' database. */
final class OutboxDatabase {

    static final String NAME = "outbox_test";

    private OutboxDatabase() {
    }

    static List<Map<String, Object>> rows(String sql, Object... args) {
        return PostgresResource.server().query(NAME, sql, args);
    }

    static long count(String sql, Object... args) {
        return PostgresResource.server().number(NAME, sql, args);
    }

    static Map<String, Object> row(UUID id) {
        return rows("SELECT status, attempts, last_error_kind, claimed_by, traceparent FROM outbox WHERE id = ?", id).get(0);
    }
}
