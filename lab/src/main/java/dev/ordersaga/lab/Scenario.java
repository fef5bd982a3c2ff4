package dev.ordersaga.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/** One experiment of the lab: a fault under a workload, with the invariants it must keep. */
interface Scenario {

    /** The report's folder and the name {@code k8s/lab/run} selects it by (a prefix is enough). */
    String name();

    String description();

    /** Settings per workload (env vars) that make the experiment fast: short backoff, lease and breaker delays. */
    default Map<String, Map<String, String>> overrides() {
        return fast(Map.of());
    }

    void run(Lab lab, Recorder rec, Findings findings) throws Exception;

    String SKU = "lab";
    long STOCK = 1_000_000;
    /** The checker's bound: every order terminal this long after healing (the target is far tighter). */
    double TERMINAL_BOUND_S = 20;
    String BACKOFF_CAP = "2s";

    static Map<String, Map<String, String>> fast(Map<String, String> worker) {
        Map<String, String> a = new LinkedHashMap<>(Map.of("OUTBOX_BACKOFF_BASE", "200ms", "OUTBOX_BACKOFF_CAP", BACKOFF_CAP,
                "OUTBOX_LEASE", "5s", "WORKER_CLIENT_TIMEOUT_MS", "1000", "WORKER_CLIENT_BREAKER_DELAY_MS", "1000"));
        Map<String, String> w = new LinkedHashMap<>(Map.of("OUTBOX_BACKOFF_BASE", "200ms", "OUTBOX_BACKOFF_CAP", BACKOFF_CAP,
                "OUTBOX_LEASE", "5s", "API_CLIENT_TIMEOUT_MS", "1000", "API_CLIENT_BREAKER_DELAY_MS", "1000"));
        w.putAll(worker);
        return Map.of("api", a, "worker", w, "quorum-gateway", Map.of("GATEWAY_BREAKER_DELAY", "500ms",
                "GATEWAY_HINTS_REPLAY_EVERY", "1s", "GATEWAY_ANTI_ENTROPY_EVERY", "5s"));
    }
}
