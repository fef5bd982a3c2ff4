package dev.ordersaga.lab;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

/**
 * Seed 004 A and B: a partition between api and worker under a steady workload. Orders are
 * accepted as PENDING during the cut; after healing every one becomes CONFIRMED, once.
 */
record CutDuringWorkload(String name, String description, String toggle, boolean oneWay) implements Scenario {

    static CutDuringWorkload apiToWorker() {
        return new CutDuringWorkload("A-api-to-worker-cut", "Seed 004 A: the api cannot reach the worker for 8 s under a "
                + "steady workload. Orders are accepted as PENDING during the cut and all become CONFIRMED after healing.",
                "api-to-worker", false);
    }

    static CutDuringWorkload workerToApi() {
        return new CutDuringWorkload("B-worker-to-api-one-way", "Seed 004 B: the worker cannot reach the api (one way: "
                + "the api still reaches the worker). Reservations happen during the cut; the results arrive after healing.",
                "worker-to-api", true);
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        OrderHistory history = new OrderHistory(lab, rec);
        OrderHistory.SteadyClient client = history.steady(SKU, 100);
        Wait.hold(3);
        var fault = rec.fault("partition " + toggle);
        lab.partition(toggle, true);
        rec.note(toggle + " on: " + lab.togglesOn());
        Wait.hold(8);
        List<String> during = history.acknowledgedAfter(fault.start + 2);
        Map<String, String> states = history.states();
        long pending = during.stream().filter(id -> "PENDING".equals(states.get(id))).count();
        f.figure("accepted during the cut", during.size() + " (" + pending + " PENDING at its end)");
        f.require(!during.isEmpty(), "no order was accepted during the cut");
        f.require(pending == during.size(),
                "orders accepted during the cut but not PENDING before healing: " + (during.size() - pending));
        if (oneWay) {
            long reserved;
            try (Connection c = lab.db("stock"); ResultSet r = c.createStatement().executeQuery(
                    "SELECT count(*) FROM reservations WHERE status = 'RESERVED' AND order_id = ANY(ARRAY['"
                            + String.join("','", during) + "'])")) {
                r.next();
                reserved = r.getLong(1);
            }
            f.figure("reserved by the worker during the cut", reserved);
            f.require(reserved > 0, "the worker reserved nothing during a one-way cut");
        }
        client.stop();
        lab.partition(toggle, false);
        rec.heal(fault);
        double took = history.awaitTerminal(fault.healed, TERMINAL_BOUND_S);
        f.figure("every PENDING order CONFIRMED after healing in", Wait.seconds(took, "never"));
        f.figure("backoff cap", BACKOFF_CAP);
        f.violations(history.check(SKU, STOCK, fault.healed, took, TERMINAL_BOUND_S));
        long notConfirmed = history.states().values().stream().filter(x -> !x.equals("CONFIRMED")).count();
        f.require(notConfirmed == 0, notConfirmed + " orders not CONFIRMED at the end");
        f.figure("orders", history.acknowledged().size());
    }
}
