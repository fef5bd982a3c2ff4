package dev.ordersaga.netpol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ordersaga.netpol.Cluster.Flow;
import dev.ordersaga.netpol.Cluster.Pod;

/**
 * A partition toggle of {@code k8s/chaos/toggles}: the NetworkPolicies it removes (by label) and
 * the connections it is meant to cut ({@code from -> to} or {@code from <-> to}, workloads or pods, {@code *} any).
 */
public record Toggle(String name, String labelKey, String labelValue, String clientWorkload, String from, String to,
        boolean bothWays) {

    public static List<Toggle> load(Path file) throws IOException {
        List<Toggle> toggles = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            if (f.length != 6 || !(f[4].equals("->") || f[4].equals("<->")) || !f[1].contains("=")) {
                throw new IllegalArgumentException("bad toggle line: " + line);
            }
            String[] kv = f[1].split("=", 2);
            toggles.add(new Toggle(f[0], kv[0], kv[1], f[2], f[3], f[5], f[4].equals("<->")));
        }
        return toggles;
    }

    /** Whether this toggle removes {@code policy}. */
    public boolean removes(NetworkPolicy policy) {
        return labelValue.equals(policy.labels().get(labelKey));
    }

    /** Whether {@code flow} is one this toggle is meant to cut. */
    public boolean cuts(Flow flow, Map<String, Pod> pods) {
        Pod a = pods.get(flow.from());
        Pod b = pods.get(flow.to());
        return (is(a, from) && is(b, to)) || (bothWays && is(a, to) && is(b, from));
    }

    private static boolean is(Pod pod, String spec) {
        return spec.equals("*") || pod.name().equals(spec) || pod.workload().equals(spec);
    }
}
