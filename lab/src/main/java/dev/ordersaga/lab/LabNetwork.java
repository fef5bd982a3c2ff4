package dev.ordersaga.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.ordersaga.netpol.Cluster;

/**
 * One network namespace per pod, each with its own address on a bridge of the host (the "node",
 * {@value #NODE_IP}), and an {@code /etc/hosts} per namespace ({@code /etc/netns/<ns>/hosts}, which
 * {@code ip netns exec} puts in place) that resolves the Services' names as cluster DNS would: a
 * Service to one pod behind it ({@link #hosts}), {@code <pod>.<headless service>} to that pod.
 */
final class LabNetwork {

    static final String BRIDGE = "olab0";
    static final String PREFIX = "olab-";
    static final String NODE_IP = "10.77.0.1";

    private final Map<String, String> ips = new LinkedHashMap<>();

    private LabNetwork() {
    }

    /** Addresses only, no namespaces (to compile rules without creating anything). */
    static LabNetwork of(Map<String, String> ips) {
        LabNetwork net = new LabNetwork();
        net.ips.putAll(ips);
        return net;
    }

    static String ns(String pod) {
        return PREFIX + pod;
    }

    /** The command prefix that runs a program in a pod's namespace. */
    static List<String> exec(String pod) {
        return List.of("ip", "netns", "exec", ns(pod));
    }

    String ip(String pod) {
        String ip = ips.get(pod);
        if (ip == null) {
            throw new IllegalArgumentException("no pod " + pod);
        }
        return ip;
    }

    Map<String, String> ips() {
        return ips;
    }

    static LabNetwork create(Cluster cluster) {
        teardown();
        LabNetwork net = new LabNetwork();
        Sh.run("ip", "link", "add", BRIDGE, "type", "bridge");
        Sh.run("ip", "addr", "add", NODE_IP + "/24", "dev", BRIDGE);
        Sh.run("ip", "link", "set", BRIDGE, "up");
        int n = 2;
        for (Cluster.Pod pod : cluster.pods()) {
            String ip = "10.77.0." + n;
            String ns = ns(pod.name());
            String host = "olv" + n;
            Sh.run("ip", "netns", "add", ns);
            Sh.run("ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
            Sh.run("ip", "link", "set", host, "master", BRIDGE, "up");
            Sh.run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
            Sh.run("ip", "-n", ns, "link", "set", "eth0", "up");
            Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
            Sh.run("ip", "-n", ns, "route", "add", "default", "via", NODE_IP);
            net.ips.put(pod.name(), ip);
            n++;
        }
        try {
            for (Cluster.Pod pod : cluster.pods()) {
                Path dir = Path.of("/etc/netns", ns(pod.name()));
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("hosts"), net.hosts(cluster, pod) + "127.0.1.1 " + pod.name() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return net;
    }

    /**
     * The {@code /etc/hosts} of a pod: each Service's name resolves as cluster DNS would, to one pod
     * behind it, {@code <pod>.<headless service>} to that pod. Where a workload runs several
     * replicas, a pod's ordinal among its own workload's pods picks the pod behind a Service (api-1
     * reaches worker-1 and quorum-gateway-1), the way each kept-alive connection through a Service
     * stays with the pod kube-proxy chose for it, so that every replica carries traffic.
     */
    String hosts(Cluster cluster, Cluster.Pod pod) {
        List<Cluster.Pod> same = cluster.pods().stream().filter(p -> p.workload().equals(pod.workload())).toList();
        int ordinal = same.indexOf(pod);
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (Cluster.Service s : cluster.services()) {
            List<Cluster.Pod> behind = cluster.pods().stream().filter(p -> s.selector().matches(p.labels())).toList();
            if (behind.isEmpty()) {
                continue;
            }
            hosts.append(ip(behind.get(ordinal % behind.size()).name())).append(' ').append(s.name()).append(' ')
                    .append(s.name()).append('.').append(cluster.namespace()).append(".svc.cluster.local\n");
            if (s.headless()) {
                for (Cluster.Pod p : behind) {
                    hosts.append(ip(p.name())).append(' ').append(p.name()).append('.').append(s.name()).append('\n');
                }
            }
        }
        return hosts.toString();
    }

    /** Removes every namespace, process, rule and file of the lab; safe to call when nothing is there. */
    static void teardown() {
        for (String line : Sh.run("ip", "netns", "list").split("\n")) {
            String ns = line.split("\\s+")[0];
            if (!ns.startsWith(PREFIX)) {
                continue;
            }
            try {
                for (String pid : Sh.run("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isBlank()) {
                        Sh.quietly("kill", "-9", pid);
                    }
                }
            } catch (RuntimeException e) {
                // namespace already gone
            }
            Sh.quietly("ip", "netns", "del", ns);
        }
        // a namespace lingers while a dying process still holds it; its veth goes with the host end
        for (String line : Sh.run("ip", "-o", "link", "show").split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length > 1 && f[1].startsWith("olv")) {
                Sh.quietly("ip", "link", "del", f[1].split("@")[0]);
            }
        }
        Sh.quietly("ip", "link", "del", BRIDGE);
        try (Stream<Path> dirs = Files.exists(Path.of("/etc/netns")) ? Files.list(Path.of("/etc/netns")) : Stream.empty()) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
                try (Stream<Path> walk = Files.walk(d)) {
                    for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
