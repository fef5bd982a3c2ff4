package dev.ordersaga.lab;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two publishers on one outbox, as deployed: api-0 holds the leases of orders it has just accepted
 * (their deliveries hang on a path that drops every packet) when it loses PostgreSQL too. Cut off from
 * both, it can neither deliver nor renew; once the leases end, api-1 claims those rows and delivers
 * them, and every order is CONFIRMED while api-0 is still cut off. Healed, api-0's held deliveries
 * reach the worker late and the inbox takes them as duplicates: nothing is doubled.
 */
final class ReplicaCutFromDatabase implements Scenario {

    /** Orders accepted by api-0 while its deliveries hang: the rows it holds leased when the database goes. */
    private static final int HELD = 6;
    private static final int LEASE_S = 5;
    private static final String LEASE = LEASE_S + "s";
    /** How long api-0's calls to the worker may hang: past the lease, so they are still hanging when it ends. */
    private static final String WORKER_TIMEOUT_MS = "15000";

    @Override
    public String name() {
        return "J-api-replica-cut-from-postgres";
    }

    @Override
    public String description() {
        return "api-0 loses PostgreSQL while it holds the leases of " + HELD + " orders it is delivering; api-1 claims "
                + "them once the leases (" + LEASE + ") end and delivers them, every order is CONFIRMED while api-0 is "
                + "still cut off, and api-0's late deliveries after healing are taken as duplicates.";
    }

    @Override
    public Map<String, Map<String, String>> overrides() {
        Map<String, Map<String, String>> o = new LinkedHashMap<>(Scenario.fast(Map.of()));
        Map<String, String> api = new LinkedHashMap<>(o.get("api"));
        api.put("OUTBOX_LEASE", LEASE);
        api.put("WORKER_CLIENT_TIMEOUT_MS", WORKER_TIMEOUT_MS);
        o.put("api", api);
        return o;
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        List<String> pods = lab.pods("api");
        f.require(pods.size() >= 2, "the manifests deploy " + pods.size() + " api replica(s); this scenario needs two");
        if (pods.size() < 2) {
            return;
        }
        String cut = pods.get(0);
        String cutUrl = lab.apiUrls().get(0);
        String other = lab.apiUrls().get(1);
        OrderHistory history = new OrderHistory(lab, rec);
        OrderHistory.SteadyClient client = history.steady(SKU, 100);
        Wait.hold(2);
        client.stop();

        var fault = rec.fault(cut + " cut from the workers, then from PostgreSQL");
        lab.loss(cut, "worker", 100);
        List<String> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
            var op = history.create(cutUrl, "lab-c" + i, SKU, 1);
            if (op.outcome() == OrderHistory.Outcome.OK) {
                held.add(op.orderId());
            }
        }
        f.require(held.size() == HELD, "api-0 accepted " + held.size() + " of " + HELD + " orders before its database cut");
        Map<String, String> before = outbox(lab, held);
        lab.loss(cut, "postgres-0", 100);
        double cutAt = rec.now();
        rec.note(cut + " cut from the workers and PostgreSQL; its orders' deliveries: " + before);
        long leased = before.values().stream().filter(s -> s.startsWith("in_flight")).count();
        f.figure("deliveries " + cut + " held leased when PostgreSQL went", leased + " of " + held.size());
        f.require(leased > 0, "api-0 held no lease when PostgreSQL went (nothing for api-1 to take over): " + before);

        // api-1 keeps taking orders, and delivers api-0's once their leases end
        for (int i = 0; i < 5; i++) {
            var op = history.create(other, "lab-c" + i, SKU, 1);
            f.require(op.outcome() == OrderHistory.Outcome.OK, "api-1 refused an order while api-0 was cut off: " + op);
        }
        double taken = Wait.until(rec, cutAt, LEASE_S + TERMINAL_BOUND_S, 200,
                () -> confirmed(history, held));
        f.figure("api-0's held orders CONFIRMED through api-1 after the cut in", Wait.seconds(taken, "never"));
        f.require(!Double.isNaN(taken), "api-0's held orders not all CONFIRMED while it was cut off: " + outbox(lab, held));
        f.figure("their deliveries", outbox(lab, held));

        // api-0 reaches the worker again first: what it still holds arrives late, as duplicates
        lab.loss(cut, "worker", 0);
        Wait.hold(3);
        lab.loss(cut, "postgres-0", 0);
        rec.heal(fault);
        double ready = Wait.until(rec, fault.healed, TERMINAL_BOUND_S, 100,
                () -> Recorder.text(cutUrl + "/q/health/ready") != null);
        f.figure(cut + " ready again after healing in", Wait.seconds(ready, "never"));
        f.require(!Double.isNaN(ready), cut + " not ready " + TERMINAL_BOUND_S + " s after healing");
        for (int i = 0; i < 5; i++) {
            var op = history.create(cutUrl, "lab-c" + i, SKU, 1);
            f.require(op.outcome() == OrderHistory.Outcome.OK, "api-0 refused an order after healing: " + op);
        }
        double took = history.awaitTerminal(fault.healed, TERMINAL_BOUND_S);
        f.figure("every order terminal after healing in", Wait.seconds(took, "never"));
        f.violations(history.check(SKU, STOCK, fault.healed, took, TERMINAL_BOUND_S));
        f.figure("duplicate deliveries absorbed by the workers' inboxes", Recorder.inboxDuplicates(lab, "worker"));
        long notConfirmed = history.states().values().stream().filter(x -> !x.equals("CONFIRMED")).count();
        f.require(notConfirmed == 0, notConfirmed + " orders not CONFIRMED at the end");
        f.figure("orders", history.acknowledged().size());
    }

    private static boolean confirmed(OrderHistory history, List<String> orders) throws Exception {
        Map<String, String> states = history.states();
        return orders.stream().allMatch(id -> "CONFIRMED".equals(states.get(id)));
    }

    /** The worker-bound outbox rows of these orders: status, attempts and who holds them, by order. */
    private static Map<String, String> outbox(Lab lab, List<String> orders) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = lab.db("orders"); PreparedStatement s = c.prepareStatement(
                "SELECT aggregate_id, status, attempts, claimed_by FROM outbox WHERE destination = 'worker' AND aggregate_id = ANY(?)")) {
            Array ids = c.createArrayOf("text", orders.toArray());
            s.setArray(1, ids);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.merge(r.getString(1).substring(0, 8), r.getString(2) + " (attempts " + r.getInt(3)
                            + (r.getString(4) == null ? "" : ", held by " + holder(r.getString(4))) + ")", (a, b) -> a + "; " + b);
                }
            }
        }
        return out;
    }

    /** A publisher id ({@code pid@host/uuid}) shortened for the report. */
    private static String holder(String publisher) {
        int slash = publisher.indexOf('/');
        return slash < 0 ? publisher : publisher.substring(0, Math.min(publisher.length(), slash + 9));
    }
}
