package dev.ordersaga.lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A service cut from its PostgreSQL by the shipped NetworkPolicy toggle, under a steady workload:
 * the dropped packets leave its connections open and unanswered. Readiness answers and reports the
 * database during the cut, requests that need the database get 503 problem+json with
 * {@code Retry-After} (never a connection closed without an answer), and after healing the service
 * is ready again and every order accepted before, during and after completes, once.
 */
record DatabaseCut(String name, String description, String toggle, String service) implements Scenario {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();
    private static final double CUT_S = 10;

    static DatabaseCut apiToPostgres() {
        return new DatabaseCut("H-api-to-postgres-cut", "The api cannot reach PostgreSQL for 10 s under a steady workload "
                + "(packets dropped). Readiness reports it, new orders get 503 with Retry-After, and after healing the api "
                + "is ready again and every order completes.", "api-to-postgres", "api");
    }

    static DatabaseCut workerToPostgres() {
        return new DatabaseCut("I-worker-to-postgres-cut", "The worker cannot reach PostgreSQL for 10 s under a steady "
                + "workload (packets dropped). Its readiness reports it, orders wait as PENDING, and after healing every "
                + "one is CONFIRMED, once.", "worker-to-postgres", "worker");
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        List<String> bases = lab.urls(service);
        OrderHistory history = new OrderHistory(lab, rec);
        OrderHistory.SteadyClient client = history.steady(SKU, 100);
        Wait.hold(3);
        var fault = rec.fault("partition " + toggle);
        lab.partition(toggle, true);
        rec.note(toggle + " on: " + lab.togglesOn());
        double notReady = Wait.until(rec, fault.start, CUT_S, 200,
                () -> bases.stream().allMatch(b -> status(b + "/q/health/ready") == 503));
        f.figure("every " + service + " replica not ready after the cut in", Wait.seconds(notReady, "never"));
        f.require(!Double.isNaN(notReady), service + " readiness did not report the cut database within " + CUT_S + " s");
        f.require(bases.stream().allMatch(b -> status(b + "/q/health/live") == 200), service + " liveness failed during the cut");
        if (service.equals("api")) {
            double slowest = 0;
            for (int i = 0; i < 3; i++) {
                double sent = rec.now();
                HttpResponse<String> r = order(lab, bases.get(i % bases.size()));
                slowest = Math.max(slowest, rec.now() - sent);
                boolean problem = r != null && r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
                f.require(r != null && r.statusCode() == 503 && problem && r.headers().firstValue("Retry-After").isPresent(),
                        "a new order during the cut was not answered 503 problem+json with Retry-After: "
                                + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
            }
            f.figure("slowest 503 during the cut", String.format(Locale.ROOT, "%.2f s", slowest));
        }
        double left = CUT_S - (rec.now() - fault.start);
        if (left > 0) {
            Wait.hold(left);
        }
        lab.partition(toggle, false);
        rec.heal(fault);
        double ready = Wait.until(rec, fault.healed, TERMINAL_BOUND_S, 100,
                () -> bases.stream().allMatch(b -> status(b + "/q/health/ready") == 200));
        f.figure("every " + service + " replica ready again after healing in", Wait.seconds(ready, "never"));
        f.require(!Double.isNaN(ready), service + " not ready " + TERMINAL_BOUND_S + " s after healing");
        double accepting = Wait.until(rec, fault.healed, TERMINAL_BOUND_S, 100,
                () -> !history.acknowledgedAfter(fault.healed).isEmpty());
        f.figure("first order accepted after healing in", Wait.seconds(accepting, "never"));
        f.require(!Double.isNaN(accepting), "no order accepted " + TERMINAL_BOUND_S + " s after healing");
        Wait.hold(2);
        client.stop();
        double took = history.awaitTerminal(fault.healed, TERMINAL_BOUND_S);
        f.figure("every order terminal after healing in", Wait.seconds(took, "never"));
        f.violations(history.check(SKU, STOCK, fault.healed, took, TERMINAL_BOUND_S));
        long notConfirmed = history.states().values().stream().filter(x -> !x.equals("CONFIRMED")).count();
        f.require(notConfirmed == 0, notConfirmed + " orders not CONFIRMED at the end");
        f.figure("orders", history.acknowledged().size());
    }

    /** A new order, waiting long enough (15 s) to tell a bounded 503 from a hang. */
    private static HttpResponse<String> order(Lab lab, String api) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(api + "/orders"))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .header("Authorization", lab.customer("lab-db-probe"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[{\"sku\":\"" + SKU + "\",\"quantity\":1}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    /** The status of a GET, or -1 when it got no answer within 5 s. */
    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
