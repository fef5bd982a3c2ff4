package dev.ordersaga.netpol;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;

/**
 * A NetworkPolicy of the namespace, as the API defines it: it selects pods, and for each direction
 * in {@code policyTypes} the selected pods accept only what one of its rules (or another policy's)
 * allows.
 */
public record NetworkPolicy(String name, Map<String, String> labels, LabelSelector podSelector, boolean ingress,
        boolean egress, List<Rule> ingressRules, List<Rule> egressRules) {

    /** One ingress or egress rule: peers (empty: any) and ports (empty: any). */
    public record Rule(List<Peer> peers, List<Port> ports) {
        public boolean admitsPort(int port, String protocol) {
            return ports.isEmpty() || ports.stream().anyMatch(p -> p.matches(port, protocol));
        }
    }

    /** A peer: pods of this namespace or of namespaces matching a selector, or an address block. */
    public record Peer(LabelSelector podSelector, LabelSelector namespaceSelector, String ipBlock) {
        /** Whether a pod of the namespace with {@code namespaceLabels} and {@code podLabels} is this peer. */
        public boolean matches(Map<String, String> namespaceLabels, Map<String, String> podLabels) {
            if (ipBlock != null) {
                return false;
            }
            if (namespaceSelector != null && !namespaceSelector.matches(namespaceLabels)) {
                return false;
            }
            return podSelector == null || podSelector.matches(podLabels);
        }

        /** Whether this peer is outside the namespace (another namespace or an address block). */
        public boolean external() {
            return ipBlock != null || namespaceSelector != null;
        }
    }

    /** A port (number) and protocol; {@code port} 0 means every port. */
    public record Port(int port, String protocol) {
        boolean matches(int p, String proto) {
            return protocol.equals(proto) && (port == 0 || port == p);
        }
    }

    /** The policy of the API model, with the API's default policy types (Egress only when it has egress rules). */
    static NetworkPolicy of(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy) {
        NetworkPolicySpec spec = policy.getSpec() == null ? new NetworkPolicySpec() : policy.getSpec();
        List<String> types = spec.getPolicyTypes();
        if (types == null || types.isEmpty()) {
            types = spec.getEgress() != null && !spec.getEgress().isEmpty() ? List.of("Ingress", "Egress") : List.of("Ingress");
        }
        Map<String, String> labels = policy.getMetadata().getLabels();
        List<Rule> ingress = spec.getIngress() == null ? List.of()
                : spec.getIngress().stream().map(r -> rule(r.getFrom(), r.getPorts())).toList();
        List<Rule> egress = spec.getEgress() == null ? List.of()
                : spec.getEgress().stream().map(r -> rule(r.getTo(), r.getPorts())).toList();
        return new NetworkPolicy(policy.getMetadata().getName(), labels == null ? Map.of() : Map.copyOf(labels),
                LabelSelector.of(spec.getPodSelector()), types.contains("Ingress"), types.contains("Egress"), ingress, egress);
    }

    private static Rule rule(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports) {
        return new Rule(
                peers == null ? List.of() : peers.stream().map(p -> new Peer(
                        p.getPodSelector() == null ? null : LabelSelector.of(p.getPodSelector()),
                        p.getNamespaceSelector() == null ? null : LabelSelector.of(p.getNamespaceSelector()),
                        p.getIpBlock() == null ? null : p.getIpBlock().getCidr())).toList(),
                ports == null ? List.of() : ports.stream().map(p -> new Port(
                        p.getPort() != null && p.getPort().getIntVal() != null ? p.getPort().getIntVal() : 0,
                        p.getProtocol() == null ? "TCP" : p.getProtocol())).toList());
    }
}
