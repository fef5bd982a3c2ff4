package dev.ordersaga.lab;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;

/** Seed 004 C: the worker is slower than the api's timeout; each order is still CONFIRMED exactly once. */
final class SlowWorker implements Scenario {

    private static final int ORDERS = 15;

    @Override
    public String name() {
        return "C-slow-worker";
    }

    @Override
    public String description() {
        return "Seed 004 C: the worker takes 1.5 s per job, longer than the api's 1 s timeout (SIM_SLOW_WORKER_MS). "
                + "Each order is CONFIRMED exactly once.";
    }

    @Override
    public Map<String, Map<String, String>> overrides() {
        return Scenario.fast(Map.of("SIM_SLOW_WORKER_MS", "1500"));
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        OrderHistory history = new OrderHistory(lab, rec);
        var fault = rec.fault("worker 1.5 s per job, api timeout 1 s");
        for (int i = 0; i < ORDERS; i++) {
            history.create("lab-slow", SKU, 1);
        }
        double took = history.awaitTerminal(rec.now(), 60);
        rec.heal(fault);
        f.figure("all " + ORDERS + " terminal in", Wait.seconds(took, "never"));
        f.violations(history.check(SKU, STOCK, fault.healed, took, 60));
        try (Connection c = lab.db("orders"); ResultSet r = c.createStatement().executeQuery(
                "SELECT count(*) FILTER (WHERE status = 'CONFIRMED'), count(*) FILTER (WHERE version <> 2) FROM orders")) {
            r.next();
            f.figure("CONFIRMED", r.getLong(1));
            f.require(r.getLong(1) == ORDERS, "CONFIRMED orders: " + r.getLong(1) + " of " + ORDERS);
            f.require(r.getLong(2) == 0, r.getLong(2) + " orders changed more than once (version != 2)");
        }
        try (Connection c = lab.db("stock"); ResultSet r = c.createStatement().executeQuery(
                "SELECT count(*) FROM inbox WHERE status = 'applied'")) {
            r.next();
            f.figure("commands applied by the worker", r.getLong(1));
        }
        f.figure("duplicate deliveries absorbed by the workers' inboxes", Recorder.inboxDuplicates(lab, "worker"));
    }
}
