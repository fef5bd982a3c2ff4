package dev.ordersaga.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The two gateways see different node subsets: concurrent writes through both become siblings, and
 * one write with the merged context resolves them; nothing acknowledged is lost. The writes start once
 * each gateway has seen its cut (the node unreachable or its breaker open), so that none is sent to a
 * node it cannot reach first; a write that still gets no 204 is repeated (at most three times) and
 * only acknowledged writes are owed to the reads.
 */
final class GatewaySubsets implements Scenario {

    private static final int KEYS = 10;

    @Override
    public String name() {
        return "E-gateway-subsets";
    }

    @Override
    public String description() {
        return "The two gateways see different node subsets (gateway-0 cannot reach redis-2, gateway-1 cannot reach "
                + "redis-0). Concurrent writes become siblings and a write with the merged context resolves them; "
                + "nothing acknowledged is lost.";
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        var fault = rec.fault("gateway-0 ✕ redis-2, gateway-1 ✕ redis-0");
        lab.loss("quorum-gateway-0", "redis-2", 100);
        lab.loss("quorum-gateway-1", "redis-0", 100);
        double seen = Wait.until(rec, fault.start, 30, 200, () -> {
            GatewayProbe.get(lab.gatewayUrl(0), "lab-sib-probe");
            GatewayProbe.get(lab.gatewayUrl(1), "lab-sib-probe");
            return GatewayProbe.sees(lab, 0, 2) && GatewayProbe.sees(lab, 1, 0);
        });
        f.figure("both gateways saw their cut after", Wait.seconds(seen, "never (writes start anyway)"));
        int acked = 0;
        int repeated = 0;
        List<List<String>> owed = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            String key = "lab-sib-" + i;
            List<String> keyOwed = new ArrayList<>();
            for (int g = 0; g < 2; g++) {
                int status = 0;
                for (int attempt = 0; attempt < 3 && status != 204; attempt++) {
                    repeated += attempt > 0 ? 1 : 0;
                    status = GatewayProbe.put(lab.gatewayUrl(g), key, "from-gateway-" + g, null);
                }
                if (status == 204) {
                    keyOwed.add("from-gateway-" + g);
                } else {
                    f.violation("write to " + key + " through gateway-" + g + " not acknowledged in three tries: " + status);
                }
            }
            acked += keyOwed.size() == 2 ? 1 : 0;
            owed.add(keyOwed);
        }
        f.figure("keys written through both gateways", acked + " of " + KEYS + " (" + repeated + " writes repeated)");
        lab.loss("quorum-gateway-0", "redis-2", 0);
        lab.loss("quorum-gateway-1", "redis-0", 0);
        rec.heal(fault);
        Wait.hold(1);
        int siblings = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "lab-sib-" + i;
            var r = GatewayProbe.get(lab.gatewayUrl(i % 2), key);
            List<String> shown = GatewayProbe.values(r);
            if (!shown.containsAll(owed.get(i))) {
                f.violation("acknowledged write lost on " + key + ": a read shows " + shown + ", acknowledged " + owed.get(i));
                continue;
            }
            if (owed.get(i).size() < 2) {
                continue;
            }
            siblings++;
            String context = r.headers().firstValue("X-Context").orElse(null);
            int resolved = GatewayProbe.put(lab.gatewayUrl((i + 1) % 2), key, "merged", context);
            var after = GatewayProbe.get(lab.gatewayUrl(i % 2), key);
            if (resolved != 204 || after == null || after.statusCode() != 200 || !"merged".equals(after.body())) {
                f.violation("siblings of " + key + " not resolved by a write with the merged context: " + resolved + ", "
                        + (after == null ? "no answer" : after.statusCode() + " " + GatewayProbe.values(after)));
            }
        }
        f.figure("keys with both concurrent writes kept as siblings", siblings);
        rec.note("siblings resolved by one write each with the merged X-Context");
    }
}
