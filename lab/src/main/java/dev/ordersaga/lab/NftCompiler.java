package dev.ordersaga.lab;

import java.util.List;

import dev.ordersaga.netpol.Cluster;
import dev.ordersaga.netpol.Cluster.Pod;

/**
 * Compiles the namespace's NetworkPolicies into the nftables ruleset of one pod's network namespace,
 * the way a policy-enforcing CNI treats that pod: if a policy selects it for egress (ingress), only
 * connections some policy allows may leave (enter), on the allowed ports, plus their replies.
 *
 * <p>Replies are accepted per allowed path ({@code ct state established} from that peer and port),
 * not with one blanket "established" rule: so when an allow goes away, the connections it carried
 * stop too, as on a strict CNI. Traffic from and to the node ({@value LabNetwork#NODE_IP}: the lab's
 * clients, like kubelet probes and port-forwards) is not subject to policy. Packet loss on a path is
 * an extra {@code numgen random} drop ahead of the allows.
 */
final class NftCompiler {

    /** Drop {@code percent} of the packets from {@code from} to {@code to} (each a pod or a workload name). */
    record Loss(String from, String to, int percent) {
        boolean between(Pod a, Pod b) {
            return (from.equals(a.name()) || from.equals(a.workload())) && (to.equals(b.name()) || to.equals(b.workload()));
        }
    }

    static final String TABLE = "olab";

    private NftCompiler() {
    }

    static String ruleset(Cluster cluster, Pod pod, LabNetwork net, List<Loss> losses) {
        StringBuilder out = new StringBuilder();
        StringBuilder in = new StringBuilder();
        for (Pod peer : cluster.pods()) {
            if (peer == pod) {
                continue;
            }
            String ip = net.ip(peer.name());
            for (int port : peer.ports().values()) {
                for (Loss l : losses) {
                    if (l.between(pod, peer)) {
                        out.append("    ip daddr ").append(ip).append(" tcp dport ").append(port)
                                .append(l.percent() >= 100 ? "" : " numgen random mod 100 < " + l.percent()).append(" drop\n");
                    }
                }
                if (cluster.egressAdmits(pod, peer.labels(), port)) {
                    out.append("    ip daddr ").append(ip).append(" tcp dport ").append(port).append(" accept\n");
                    in.append("    ip saddr ").append(ip).append(" tcp sport ").append(port)
                            .append(" ct state established accept\n");
                }
            }
            for (int port : pod.ports().values()) {
                if (cluster.ingressAdmits(pod, peer.labels(), port)) {
                    in.append("    ip saddr ").append(ip).append(" tcp dport ").append(port).append(" accept\n");
                    out.append("    ip daddr ").append(ip).append(" tcp sport ").append(port)
                            .append(" ct state established accept\n");
                }
            }
        }
        String egressPolicy = cluster.isolated(pod, true) ? "drop" : "accept";
        String ingressPolicy = cluster.isolated(pod, false) ? "drop" : "accept";
        return "table inet " + TABLE + "\n"
                + "delete table inet " + TABLE + "\n"
                + "table inet " + TABLE + " {\n"
                + "  chain output {\n    type filter hook output priority 0; policy " + egressPolicy + ";\n"
                + "    oif \"lo\" accept\n"
                + "    ip daddr " + LabNetwork.NODE_IP + " accept\n"
                + out
                + "  }\n"
                + "  chain input {\n    type filter hook input priority 0; policy " + ingressPolicy + ";\n"
                + "    iif \"lo\" accept\n"
                + "    ip saddr " + LabNetwork.NODE_IP + " accept\n"
                + in
                + "  }\n"
                + "}\n";
    }
}
