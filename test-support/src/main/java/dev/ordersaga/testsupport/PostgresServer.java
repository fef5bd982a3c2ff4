package dev.ordersaga.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 15 server (binaries from Maven Central) on a free loopback port, with helpers
 * to create a database per service and to query it from tests.
 */
public final class PostgresServer implements AutoCloseable {

    /** System property naming the folder the PostgreSQL binaries are unpacked into. */
    public static final String BINARIES_PROPERTY = "ordersaga.embedded-pg.dir";

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server; {@code port} 0 picks a free one. Data lives in {@code dataDir} if given. */
    public static PostgresServer start(int port, Path dataDir) {
        try {
            var builder = EmbeddedPostgres.builder()
                    .setPort(port == 0 ? Ports.free() : port)
                    .setOverrideWorkingDirectory(binaries().toFile())
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on");
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            return new PostgresServer(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start", e);
        }
    }

    /**
     * Where the PostgreSQL binaries are unpacked (once, then reused): {@value #BINARIES_PROPERTY} when
     * set (the build sets the project's {@code target/embedded-pg}), else a folder of this user's under
     * the system's temporary directory, never a shared world-writable one.
     */
    private static Path binaries() throws IOException {
        String configured = System.getProperty(BINARIES_PROPERTY);
        Path dir = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "ordersaga-embedded-pg-" + System.getProperty("user.name"));
        Files.createDirectories(dir);
        return dir;
    }

    public int port() {
        return postgres.getPort();
    }

    /** Creates a role and a database it owns, unless they exist. */
    public void createDatabase(String name, String user, String password) {
        try (Connection c = connect("postgres", "postgres", "")) {
            boolean roleExists = !query(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", user).isEmpty();
            if (!roleExists) {
                c.createStatement().execute("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password + "'");
            }
            boolean dbExists = !query(c, "SELECT 1 FROM pg_database WHERE datname = ?", name).isEmpty();
            if (!dbExists) {
                c.createStatement().execute("CREATE DATABASE \"" + name + "\" OWNER \"" + user + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /** The URL form the services take in {@code QUARKUS_DATASOURCE_REACTIVE_URL}. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:" + reactiveUrl(database);
    }

    /** Runs a query as the superuser on {@code database}; rows as ordered maps of column to value. */
    public List<Map<String, Object>> query(String database, String sql, Object... args) {
        try (Connection c = connect(database, "postgres", "")) {
            return query(c, sql, args);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs a statement as the superuser on {@code database}; returns the update count. */
    public int update(String database, String sql, Object... args) {
        try (Connection c = connect(database, "postgres", ""); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A single number from a query such as {@code SELECT count(*) ...}. */
    public long number(String database, String sql, Object... args) {
        Object value = query(database, sql, args).get(0).values().iterator().next();
        return value == null ? 0 : ((Number) value).longValue();
    }

    private Connection connect(String database, String user, String password) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    private static List<Map<String, Object>> query(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
