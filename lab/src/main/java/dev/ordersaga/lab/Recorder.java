package dev.ordersaga.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a person needs to see of one scenario: when each fault started and healed, and every half
 * second the orders by state, both outbox backlogs, the gateways' hint backlog and the breakers that
 * are open.
 */
final class Recorder implements AutoCloseable {

    /** A fault: what, from when to when (seconds since the start; healed NaN while it lasts). */
    static final class Fault {
        final String what;
        final double start;
        double healed = Double.NaN;

        Fault(String what, double start) {
            this.what = what;
            this.start = start;
        }
    }

    /** One sample. */
    record Sample(double t, Map<String, Long> orders, long apiOutbox, long workerOutbox, long hints, List<String> open) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private final Lab lab;
    private final long t0 = System.nanoTime();
    final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final Thread sampler;
    private volatile boolean running = true;

    Recorder(Lab lab) {
        this.lab = lab;
        sampler = new Thread(this::loop, "lab-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    Fault fault(String what) {
        Fault f = new Fault(what, now());
        faults.add(f);
        return f;
    }

    void heal(Fault f) {
        f.healed = now();
    }

    void note(String text) {
        notes.add(String.format("%.1f s  %s", now(), text));
    }

    private void loop() {
        while (running) {
            long start = System.nanoTime();
            try {
                samples.add(sample());
            } catch (Exception e) {
                // a sample that cannot be taken is left out
            }
            long left = 500 - (System.nanoTime() - start) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Sample sample() throws Exception {
        Map<String, Long> orders = new LinkedHashMap<>();
        long apiOutbox;
        long workerOutbox;
        try (Connection c = lab.db("orders"); ResultSet r = c.createStatement()
                .executeQuery("SELECT status, count(*) FROM orders GROUP BY status")) {
            while (r.next()) {
                orders.put(r.getString(1), r.getLong(2));
            }
            apiOutbox = count(c, "SELECT count(*) FROM outbox WHERE status <> 'sent'");
        }
        try (Connection c = lab.db("stock")) {
            workerOutbox = count(c, "SELECT count(*) FROM outbox WHERE status <> 'sent'");
        }
        long hints = 0;
        List<String> open = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonObject status = get(lab.gatewayUrl(i) + "/status");
            if (status == null) {
                continue;
            }
            JsonArray nodes = status.getJsonArray("nodes");
            for (int n = 0; n < nodes.size(); n++) {
                JsonObject node = nodes.getJsonObject(n);
                // null while a holder of hints does not answer: the backlog is unknown, not zero.
                if (node.getValue("hintBacklog") instanceof Number backlog) {
                    hints = Math.max(hints, backlog.longValue());
                }
                if (!"CLOSED".equals(node.getString("breaker"))) {
                    open.add("gw" + i + "→redis-" + n);
                }
            }
        }
        for (String pod : lab.pods("api")) {
            String metrics = text(lab.managementUrl(pod) + "/q/metrics");
            if (metrics == null) {
                continue;
            }
            for (String line : metrics.split("\n")) {
                if (line.startsWith("ft_circuitbreaker_state_current") && line.contains("state=\"open\"")
                        && line.trim().endsWith("1.0")) {
                    open.add(pod + ":" + (line.contains("delivery/worker") ? "worker" : line.contains("delivery/replica") ? "replica"
                            : line.contains("replica/session-read") ? "replica-read" : "?"));
                }
            }
        }
        return new Sample(now(), orders, apiOutbox, workerOutbox, hints, open);
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** {@code Authorization} header of the lab's services (their INTERNAL_SECRET), sent with every call of the lab. */
    static volatile String authorization;

    /** A request to a service of the lab, authenticated. */
    static HttpRequest.Builder request(String url) {
        var b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    static JsonObject get(String url) {
        String body = text(url);
        return body == null ? null : new JsonObject(body);
    }

    /** Deliveries the inboxes of every pod of a workload took as duplicates ({@code inbox_duplicates_total}). */
    static long inboxDuplicates(Lab lab, String workload) {
        double duplicates = 0;
        for (String url : lab.managementUrls(workload)) {
            String metrics = text(url + "/q/metrics");
            if (metrics != null) {
                duplicates += metrics.lines().filter(l -> l.startsWith("inbox_duplicates_total"))
                        .mapToDouble(l -> Double.parseDouble(l.replaceAll(".* ", ""))).sum();
            }
        }
        return (long) duplicates;
    }

    static String text(String url) {
        try {
            HttpResponse<String> r = HTTP.send(request(url).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    /** Stops sampling, once a last sample of the end state is taken. */
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        sampler.interrupt();
        try {
            sampler.join();
            samples.add(sample());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the end state could not be sampled: the report ends with the last sample taken
        }
    }
}
