package dev.ordersaga.bench.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.gruelbox.transactionoutbox.Dialect;
import com.gruelbox.transactionoutbox.ExecutorSubmitter;
import com.gruelbox.transactionoutbox.Instantiator;
import com.gruelbox.transactionoutbox.Persistor;
import com.gruelbox.transactionoutbox.ThreadLocalContextTransactionManager;
import com.gruelbox.transactionoutbox.TransactionManager;
import com.gruelbox.transactionoutbox.TransactionOutbox;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.vertx.core.json.JsonObject;

/**
 * The same saga on a mainstream outbox library, as the benchmark's peer: gruelbox
 * transaction-outbox over blocking JDBC (HikariCP), the JDK's HTTP server and client, an inbox
 * table on each side and 16 delivery threads. One process per role:
 *
 * <pre>
 *   GruelboxPeer api    PORT JDBC_URL USER PASSWORD WORKER_URL
 *   GruelboxPeer worker PORT JDBC_URL USER PASSWORD API_URL
 * </pre>
 *
 * The api accepts {@code POST /orders} ({@code {"customerId","sku","quantity"}}) as PENDING and
 * schedules the reservation in the same transaction; the worker reserves stock once per order
 * (inbox) and schedules the result back; the api applies it once (inbox). Calls that fail are
 * retried by the library every 500 ms.
 */
public final class GruelboxPeer {

    /** Delivery threads of each side's outbox. */
    public static final int DELIVERY_THREADS = 16;
    /** Request threads of each side's HTTP server. */
    static final int REQUEST_THREADS = 32;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newFixedThreadPool(4)).build();

    private static ThreadLocalContextTransactionManager transactions;
    private static TransactionOutbox outbox;
    private static String peerUrl;

    private GruelboxPeer() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        int port = Integer.parseInt(args[1]);
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(args[2]);
        pool.setUsername(args[3]);
        pool.setPassword(args[4]);
        pool.setMaximumPoolSize(REQUEST_THREADS + DELIVERY_THREADS);
        pool.setAutoCommit(false);
        HikariDataSource dataSource = new HikariDataSource(pool);
        peerUrl = args[5];
        transactions = TransactionManager.fromDataSource(dataSource);
        schema(dataSource, role);
        var delivery = Executors.newFixedThreadPool(DELIVERY_THREADS);
        outbox = TransactionOutbox.builder()
                .transactionManager(transactions)
                .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
                .instantiator(Instantiator.using(type -> type == WorkerCalls.class ? new WorkerCalls() : new ApiCalls()))
                .submitter(ExecutorSubmitter.builder().executor(delivery).build())
                .attemptFrequency(Duration.ofMillis(500))
                .blockAfterAttempts(1000)
                .build();
        var flusher = Executors.newSingleThreadScheduledExecutor();
        flusher.scheduleWithFixedDelay(() -> {
            try {
                outbox.flush();
            } catch (RuntimeException e) {
                // the next flush tries again
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newFixedThreadPool(REQUEST_THREADS));
        if ("api".equals(role)) {
            server.createContext("/orders", GruelboxPeer::createOrder);
            server.createContext("/events", GruelboxPeer::stockResult);
        } else {
            server.createContext("/jobs", GruelboxPeer::reserve);
        }
        server.start();
        System.out.println("peer " + role + " listening on " + port);
    }

    private static void schema(HikariDataSource dataSource, String role) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS peer_inbox (message_id text PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now())");
            if ("api".equals(role)) {
                s.execute("CREATE TABLE IF NOT EXISTS peer_orders (id uuid PRIMARY KEY, customer_id text NOT NULL, sku text NOT NULL,"
                        + " quantity int NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                        + " updated_at timestamptz NOT NULL DEFAULT clock_timestamp())");
            } else {
                s.execute("CREATE TABLE IF NOT EXISTS peer_stock (sku text PRIMARY KEY, available bigint NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS peer_reservations (order_id uuid PRIMARY KEY, sku text NOT NULL,"
                        + " quantity int NOT NULL, reserved boolean NOT NULL)");
                for (int i = 0; i < 64; i++) {
                    s.execute("INSERT INTO peer_stock VALUES ('bench-" + i + "', 1000000000) ON CONFLICT DO NOTHING");
                }
            }
            c.commit();
        }
    }

    /** POST /orders: the order as PENDING and its reservation scheduled, in one transaction. */
    private static void createOrder(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonObject body = new JsonObject(read(exchange.getRequestBody()));
            UUID id = UUID.randomUUID();
            String sku = body.getString("sku");
            int quantity = body.getInteger("quantity");
            transactions.inTransactionThrows(tx -> {
                try (PreparedStatement ps = tx.connection().prepareStatement(
                        "INSERT INTO peer_orders (id, customer_id, sku, quantity, status) VALUES (?, ?, ?, ?, 'PENDING')")) {
                    ps.setObject(1, id);
                    ps.setString(2, body.getString("customerId"));
                    ps.setString(3, sku);
                    ps.setInt(4, quantity);
                    ps.executeUpdate();
                }
                outbox.schedule(WorkerCalls.class).reserve(id.toString(), sku, quantity);
            });
            answer(exchange, 202, new JsonObject().put("id", id.toString()).put("status", "PENDING").encode());
        } catch (Exception e) {
            answer(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    /** POST /jobs on the worker: reserve once per order (inbox), schedule the result back. */
    private static void reserve(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonObject body = new JsonObject(read(exchange.getRequestBody()));
            String orderId = body.getString("orderId");
            transactions.inTransactionThrows(tx -> {
                Connection c = tx.connection();
                if (!firstTime(c, "reserve:" + orderId)) {
                    return;
                }
                boolean reserved;
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE peer_stock SET available = available - ? WHERE sku = ? AND available >= ?")) {
                    ps.setInt(1, body.getInteger("quantity"));
                    ps.setString(2, body.getString("sku"));
                    ps.setInt(3, body.getInteger("quantity"));
                    reserved = ps.executeUpdate() == 1;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO peer_reservations (order_id, sku, quantity, reserved) VALUES (?, ?, ?, ?)")) {
                    ps.setObject(1, UUID.fromString(orderId));
                    ps.setString(2, body.getString("sku"));
                    ps.setInt(3, body.getInteger("quantity"));
                    ps.setBoolean(4, reserved);
                    ps.executeUpdate();
                }
                outbox.schedule(ApiCalls.class).stockResult(orderId, reserved);
            });
            answer(exchange, 200, "{}");
        } catch (Exception e) {
            answer(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    /** POST /events on the api: the reservation's result, applied once (inbox). */
    private static void stockResult(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonObject body = new JsonObject(read(exchange.getRequestBody()));
            String orderId = body.getString("orderId");
            transactions.inTransactionThrows(tx -> {
                Connection c = tx.connection();
                if (!firstTime(c, "result:" + orderId)) {
                    return;
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE peer_orders SET status = ?, updated_at = clock_timestamp()"
                        + " WHERE id = ? AND status = 'PENDING'")) {
                    ps.setString(1, body.getBoolean("reserved") ? "CONFIRMED" : "REJECTED");
                    ps.setObject(2, UUID.fromString(orderId));
                    ps.executeUpdate();
                }
            });
            answer(exchange, 200, "{}");
        } catch (Exception e) {
            answer(exchange, 500, "{\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    /** Records a message id in the inbox; false when it was there already (a redelivery). */
    private static boolean firstTime(Connection c, String messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO peer_inbox (message_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, messageId);
            return ps.executeUpdate() == 1;
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void post(String url, String body) throws IOException, InterruptedException {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(url + " answered " + r.statusCode());
        }
    }

    /** What the api's outbox calls: the worker's job endpoint. */
    public static class WorkerCalls {
        public void reserve(String orderId, String sku, int quantity) throws IOException, InterruptedException {
            post(peerUrl + "/jobs", new JsonObject().put("orderId", orderId).put("sku", sku).put("quantity", quantity).encode());
        }
    }

    /** What the worker's outbox calls: the api's event endpoint. */
    public static class ApiCalls {
        public void stockResult(String orderId, boolean reserved) throws IOException, InterruptedException {
            post(peerUrl + "/events", new JsonObject().put("orderId", orderId).put("reserved", reserved).encode());
        }
    }
}
