package dev.ordersaga.netpol;

import java.util.List;
import java.util.Map;

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

    @SuppressWarnings("unchecked")
    static NetworkPolicy parse(Map<String, Object> doc) {
        Map<String, Object> meta = (Map<String, Object>) doc.get("metadata");
        Map<String, Object> spec = (Map<String, Object>) doc.getOrDefault("spec", Map.of());
        List<String> types = (List<String>) spec.get("policyTypes");
        boolean hasEgress = spec.containsKey("egress");
        if (types == null) {
            types = hasEgress ? List.of("Ingress", "Egress") : List.of("Ingress");
        }
        return new NetworkPolicy((String) meta.get("name"),
                Map.copyOf((Map<String, String>) meta.getOrDefault("labels", Map.of())),
                LabelSelector.parse(spec.get("podSelector")),
                types.contains("Ingress"), types.contains("Egress"),
                rules((List<Map<String, Object>>) spec.get("ingress"), "from"),
                rules((List<Map<String, Object>>) spec.get("egress"), "to"));
    }

    @SuppressWarnings("unchecked")
    private static List<Rule> rules(List<Map<String, Object>> list, String peersKey) {
        if (list == null) {
            return List.of();
        }
        return list.stream().map(r -> {
            List<Peer> peers = ((List<Map<String, Object>>) r.getOrDefault(peersKey, List.of())).stream()
                    .map(p -> new Peer(p.containsKey("podSelector") ? LabelSelector.parse(p.get("podSelector")) : null,
                            p.containsKey("namespaceSelector") ? LabelSelector.parse(p.get("namespaceSelector")) : null,
                            p.containsKey("ipBlock") ? String.valueOf(((Map<String, Object>) p.get("ipBlock")).get("cidr")) : null))
                    .toList();
            List<Port> ports = ((List<Map<String, Object>>) r.getOrDefault("ports", List.of())).stream()
                    .map(p -> new Port(p.get("port") instanceof Number n ? n.intValue() : 0,
                            String.valueOf(p.getOrDefault("protocol", "TCP"))))
                    .toList();
            return new Rule(peers, ports);
        }).toList();
    }
}
