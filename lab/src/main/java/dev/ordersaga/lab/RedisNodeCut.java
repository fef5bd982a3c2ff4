package dev.ordersaga.lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vertx.core.json.JsonObject;

/**
 * A Redis node cut off from both gateways: writes go on at W=2, hints pile up and replay after
 * healing, anti-entropy leaves equal Merkle roots; no acknowledged write is lost and no read misses one.
 */
final class RedisNodeCut implements Scenario {

    @Override
    public String name() {
        return "D-redis-node-cut";
    }

    @Override
    public String description() {
        return "isolate-redis-0: a Redis node is cut off from both gateways. Writes continue at W=2, hints accumulate "
                + "and replay after healing; /integrity shows equal roots at the end.";
    }

    @Override
    public void run(Lab lab, Recorder rec, Findings f) throws Exception {
        Map<String, Double> acked = Collections.synchronizedMap(new LinkedHashMap<>());
        List<String> staleReads = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            int gw = g;
            threads.add(new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    String key = "lab-" + gw + "-" + n++;
                    if (GatewayProbe.put(lab.gatewayUrl(gw), key, key, null) == 204) {
                        acked.put(key, rec.now());
                    }
                }
            }));
        }
        threads.add(new Thread(() -> readAcknowledged(lab, rec, acked, staleReads, running)));
        threads.forEach(Thread::start);
        Wait.hold(2);
        var fault = rec.fault("partition isolate-redis-0");
        lab.partition("isolate-redis-0", true);
        Wait.hold(8);
        long backlog = GatewayProbe.hintBacklog(lab);
        f.figure("hint backlog before healing", backlog);
        f.require(backlog > 0, "no hints accumulated while redis-0 was cut off");
        int duringCut;
        synchronized (acked) {
            duringCut = (int) acked.values().stream().filter(t -> t > fault.start + 1).count();
        }
        f.figure("writes acknowledged during the cut", duringCut);
        f.require(duringCut > 0, "no write was acknowledged during the cut (W=2 should hold with two nodes)");
        running.set(false);
        for (Thread t : threads) {
            t.join();
        }
        lab.partition("isolate-redis-0", false);
        rec.heal(fault);
        double zeroAt = Wait.until(rec, fault.healed, 30, 100, () -> GatewayProbe.hintBacklog(lab) == 0);
        f.figure("hint backlog zero after healing in", Wait.seconds(zeroAt, "not within 30 s"));
        f.require(!Double.isNaN(zeroAt), "hint backlog not zero 30 s after healing");
        double equalAt = Wait.until(rec, fault.healed, 40, 500, () -> {
            JsonObject integrity = Recorder.get(lab.gatewayUrl(0) + "/integrity");
            return integrity != null && integrity.getBoolean("equal", false);
        });
        f.figure("/integrity equal roots after healing in", Wait.seconds(equalAt, "never"));
        f.require(!Double.isNaN(equalAt), "/integrity does not show equal roots 40 s after healing");
        int lost = 0;
        for (String key : new ArrayList<>(acked.keySet())) {
            if (!GatewayProbe.values(GatewayProbe.get(lab.gatewayUrl(1), key)).contains(key)) {
                lost++;
                f.violation("acknowledged write lost: " + key + " (acknowledged at " + acked.get(key) + " s)");
            }
        }
        f.figure("acknowledged writes", acked.size());
        staleReads.forEach(x -> f.violation("stale read: " + x));
        f.figure("reads checked", "stale: " + staleReads.size() + ", lost writes: " + lost);
    }

    /** Reads random acknowledged keys through either gateway: each read must show its key's value. */
    private static void readAcknowledged(Lab lab, Recorder rec, Map<String, Double> acked, List<String> staleReads,
            AtomicBoolean running) {
        Random random = new Random(7);
        while (running.get()) {
            List<String> keys;
            synchronized (acked) {
                keys = new ArrayList<>(acked.keySet());
            }
            if (keys.isEmpty()) {
                Thread.onSpinWait();
                continue;
            }
            String key = keys.get(random.nextInt(keys.size()));
            double began = rec.now();
            var r = GatewayProbe.get(lab.gatewayUrl(random.nextInt(2)), key);
            if (r != null && r.statusCode() != 503 && !GatewayProbe.values(r).contains(key)) {
                staleReads.add(String.format(Locale.ROOT, "read of %s began at %.2f s, after its write was acknowledged "
                        + "at %.2f s, returned %d %s", key, began, acked.get(key), r.statusCode(), GatewayProbe.values(r)));
            }
        }
    }
}
