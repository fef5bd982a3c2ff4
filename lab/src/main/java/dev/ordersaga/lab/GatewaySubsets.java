package dev.ordersaga.lab;

import java.util.List;

/**
 * The two gateways see different node subsets: concurrent writes through both become siblings, and
 * one write with the merged context resolves them; nothing acknowledged is lost.
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
        Wait.hold(1.5);
        int acked = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "lab-sib-" + i;
            int a = GatewayProbe.put(lab.gatewayUrl(0), key, "from-gateway-0", null);
            int b = GatewayProbe.put(lab.gatewayUrl(1), key, "from-gateway-1", null);
            if (a == 204 && b == 204) {
                acked++;
            } else {
                f.violation("write to " + key + " not acknowledged by both gateways: " + a + ", " + b);
            }
        }
        f.figure("keys written through both gateways", acked + " of " + KEYS);
        lab.loss("quorum-gateway-0", "redis-2", 0);
        lab.loss("quorum-gateway-1", "redis-0", 0);
        rec.heal(fault);
        Wait.hold(1);
        int siblings = 0;
        for (int i = 0; i < KEYS; i++) {
            String key = "lab-sib-" + i;
            var r = GatewayProbe.get(lab.gatewayUrl(i % 2), key);
            List<String> seen = GatewayProbe.values(r);
            if (!seen.containsAll(List.of("from-gateway-0", "from-gateway-1"))) {
                f.violation("acknowledged write lost on " + key + ": a read shows " + seen);
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
