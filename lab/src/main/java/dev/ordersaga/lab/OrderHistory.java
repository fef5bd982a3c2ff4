package dev.ordersaga.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.json.JsonObject;

/**
 * Order operations as a client saw them (invoke, then ok, fail or unknown, with times), and the
 * checks over them once the faults are healed: no acknowledged order lost, every order terminal
 * within a bound, stock conserved, no double reservation.
 */
final class OrderHistory {

    enum Outcome {
        OK, FAIL, UNKNOWN
    }

    record Op(double invoked, double completed, Outcome outcome, String orderId, int quantity, String detail) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());
    /** Which api replica takes the next order: they take turns, as behind a Service. */
    private final AtomicInteger next = new AtomicInteger();
    private final Lab lab;
    private final Recorder rec;

    OrderHistory(Lab lab, Recorder rec) {
        this.lab = lab;
        this.rec = rec;
    }

    /** POST /orders to the api replicas in turn; the order is acknowledged only by a 202. */
    Op create(String customer, String sku, int quantity) {
        List<String> apis = lab.apiUrls();
        return create(apis.get(Math.floorMod(next.getAndIncrement(), apis.size())), customer, sku, quantity);
    }

    /** POST /orders to one api replica ({@code api}: its URL). */
    Op create(String api, String customer, String sku, int quantity) {
        double invoked = rec.now();
        String body = "{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}]}";
        Op op;
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/orders"))
                    .timeout(Duration.ofSeconds(3)).header("Content-Type", "application/json")
                    .header("Authorization", lab.customer(customer))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            op = r.statusCode() == 202
                    ? new Op(invoked, rec.now(), Outcome.OK, new JsonObject(r.body()).getString("id"), quantity, "202")
                    : new Op(invoked, rec.now(), Outcome.FAIL, null, quantity, r.statusCode() + " " + r.body());
        } catch (HttpTimeoutException e) {
            op = new Op(invoked, rec.now(), Outcome.UNKNOWN, null, quantity, "timeout");
        } catch (Exception e) {
            op = new Op(invoked, rec.now(), Outcome.FAIL, null, quantity, e.toString());
        }
        ops.add(op);
        return op;
    }

    List<String> acknowledged() {
        return acknowledgedAfter(Double.NEGATIVE_INFINITY);
    }

    /** Orders acknowledged to a request invoked after {@code invokedAfter} (recorder time). */
    List<String> acknowledgedAfter(double invokedAfter) {
        synchronized (ops) {
            return ops.stream().filter(o -> o.outcome() == Outcome.OK && o.invoked() > invokedAfter)
                    .map(Op::orderId).toList();
        }
    }

    /** A client that creates an order every {@code everyMs} (customers lab-c0 to lab-c4) until stopped. */
    SteadyClient steady(String sku, int everyMs) {
        return new SteadyClient(this, sku, everyMs);
    }

    /** The steady workload of a scenario. */
    static final class SteadyClient {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private SteadyClient(OrderHistory history, String sku, int everyMs) {
            thread = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    history.create("lab-c" + (n++ % 5), sku, 1);
                    try {
                        Thread.sleep(everyMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "lab-client");
            thread.start();
        }

        /** Stops creating orders; returns once the last request has completed. */
        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    Map<String, String> states() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = lab.db("orders"); ResultSet r = c.createStatement().executeQuery("SELECT id::text, status FROM orders")) {
            while (r.next()) {
                out.put(r.getString(1), r.getString(2));
            }
        }
        return out;
    }

    /**
     * Waits until every order the api holds is terminal (not PENDING); returns the seconds it took
     * from {@code since} (scenario time), or NaN if {@code bound} seconds passed first.
     */
    double awaitTerminal(double since, double bound) throws Exception {
        return Wait.until(rec, since, bound, 100, () -> states().values().stream().noneMatch("PENDING"::equals));
    }

    /** Every invariant of the order flow; each violation names the operations it concerns. */
    List<String> check(String sku, long stocked, double healed, double terminalAfter, double bound) throws Exception {
        List<String> violations = new ArrayList<>();
        Map<String, String> states = states();
        synchronized (ops) {
            for (Op op : ops) {
                if (op.outcome() == Outcome.OK && !states.containsKey(op.orderId())) {
                    violations.add("acknowledged order lost: " + op);
                }
            }
        }
        if (Double.isNaN(terminalAfter)) {
            List<String> pending = states.entrySet().stream().filter(e -> e.getValue().equals("PENDING")).map(Map.Entry::getKey).toList();
            violations.add("orders still PENDING " + bound + " s after healing (at " + healed + " s): " + pending);
        }
        long held;
        long reservedRows;
        long available;
        long reserved;
        try (Connection c = lab.db("orders"); ResultSet r = c.createStatement().executeQuery(
                "SELECT COALESCE(sum((i->>'quantity')::bigint), 0) FROM orders, jsonb_array_elements(items) i"
                        + " WHERE status IN ('CONFIRMED', 'PAID') AND i->>'sku' = '" + sku + "'")) {
            r.next();
            held = r.getLong(1);
        }
        try (Connection c = lab.db("stock")) {
            try (ResultSet r = c.createStatement().executeQuery("SELECT available, reserved FROM stock WHERE sku = '" + sku + "'")) {
                r.next();
                available = r.getLong(1);
                reserved = r.getLong(2);
            }
            try (ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM reservations WHERE status = 'RESERVED'")) {
                r.next();
                reservedRows = r.getLong(1);
            }
        }
        long confirmed = states.values().stream().filter(s -> s.equals("CONFIRMED") || s.equals("PAID")).count();
        if (available + reserved != stocked) {
            violations.add("stock not conserved: available " + available + " + reserved " + reserved + " != " + stocked);
        }
        if (reserved != held) {
            violations.add("reserved units " + reserved + " != units of confirmed orders " + held + " (double or lost reservation)");
        }
        if (reservedRows != confirmed) {
            violations.add("reservations held " + reservedRows + " != confirmed orders " + confirmed);
        }
        return violations;
    }
}
