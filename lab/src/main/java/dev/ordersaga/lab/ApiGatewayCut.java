package dev.ordersaga.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.vertx.core.json.JsonObject;

import dev.ordersaga.check.SessionClient;
import dev.ordersaga.check.SessionHistory;

/**
 * The api cannot reach the gateway: read=auto falls back to the primary and says so, the session
 * guarantees hold, and after healing the replica catches up with every change.
 */
final class ApiGatewayCut implements Scenario {

    private static final String CUSTOMER = "lab-session";

    @Override
    public String name() {
        return "F-api-to-gateway-cut";
    }

    @Override
    public String description() {
        return "api-to-gateway: read=auto falls back to the primary and says so; read-your-writes and monotonic reads "
                + "still hold.";
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        SessionHistory history = new SessionHistory();
        SessionClient s = new SessionClient(1, lab.apiUrl(), history, CUSTOMER, lab.customer(CUSTOMER));
        String before = s.create(SKU, 1).order().getString("id");
        var fault = rec.fault("partition api-to-gateway");
        lab.partition("api-to-gateway", true);
        int fallbacks = 0;
        int reads = 0;
        for (int i = 0; i < 10; i++) {
            var created = s.create(SKU, 1);
            String id = created.order() == null ? before : created.order().getString("id");
            for (String target : List.of(id, before)) {
                var r = s.read(target, "auto");
                reads++;
                if (r.status() == 200 && "primary".equals(r.servedBy()) && "replica-unavailable".equals(r.fallback())) {
                    fallbacks++;
                }
            }
            s.list("auto", 100);
        }
        f.figure("auto reads during the cut answered by the primary, saying replica-unavailable", fallbacks + " of " + reads);
        f.require(fallbacks >= reads - 2, "auto reads during the cut that did not fall back: " + (reads - fallbacks));
        lab.partition("api-to-gateway", false);
        rec.heal(fault);
        double replicaAgain = Wait.until(rec, fault.healed, 30, 200, () -> "replica".equals(s.read(before, "auto").servedBy()));
        f.figure("auto served by the replica again after healing in", Wait.seconds(replicaAgain, "never"));
        if (Double.isNaN(replicaAgain)) {
            rec.note("auto not served by the replica 30 s after healing: "
                    + Recorder.text(lab.apiUrl() + "/debug/versions?customerId=" + CUSTOMER + "&orderId=" + before));
        }
        // the replica never loses a change: once the projection backlog is sent, every order of the
        // session has the primary's version in the replica, and the customer's list has every change
        double caughtUp = Wait.until(rec, fault.healed, 60, 200, () -> {
            JsonObject versions = Recorder.get(lab.apiUrl() + "/debug/versions");
            return versions != null && versions.getLong("behind", 1L) == 0;
        });
        f.figure("projection backlog sent after healing in", Wait.seconds(caughtUp, "not within 60 s"));
        f.require(!Double.isNaN(caughtUp),
                "projection backlog not sent 60 s after healing: " + Recorder.text(lab.apiUrl() + "/debug/versions"));
        // a saga step that lands just now is projected a moment later: compare until equal, at most 10 s
        List<String> orders = written(history);
        double equal = Wait.until(rec, rec.now(), 10, 250, () -> differences(lab, orders).isEmpty());
        if (Double.isNaN(equal)) {
            differences(lab, orders).forEach(d -> f.violation("replica lost a change: " + d));
        }
        var verdict = history.check();
        verdict.violations().forEach(x -> f.violation(x.toString()));
        f.figure("session history", verdict.operations() + " ops, " + verdict.autoReads() + " auto reads, violations "
                + verdict.violations().size());
    }

    /** Where the replica differs from the primary for these orders and their customer. */
    private static List<String> differences(Lab lab, List<String> orders) {
        List<String> out = new ArrayList<>();
        for (String id : orders) {
            JsonObject order = Recorder.get(lab.apiUrl() + "/debug/versions?orderId=" + id).getJsonObject("order");
            if (!Objects.equals(order.getValue("primaryVersion"), order.getValue("replicaVersion"))) {
                out.add("order " + id + ": " + order.encode());
            }
        }
        JsonObject customer = Recorder.get(lab.apiUrl() + "/debug/versions?customerId=" + CUSTOMER).getJsonObject("customer");
        if (customer.getLong("primaryVersion") != customer.getLong("replicaVersion")) {
            out.add("list of " + CUSTOMER + ": " + customer.encode());
        }
        return out;
    }

    /** Orders the session wrote, from its recorded history. */
    private static List<String> written(SessionHistory history) {
        return history.ops().stream().filter(o -> o.kind() == SessionHistory.Kind.WRITE && o.ok())
                .flatMap(o -> o.shown().stream()).map(SessionHistory.Seen::orderId).distinct().toList();
    }
}
