package dev.ordersaga.netpol;

import java.util.List;
import java.util.Map;

/** A Kubernetes label selector: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist). */
public record LabelSelector(Map<String, String> matchLabels, List<Expression> expressions) {

    /** One matchExpressions entry. */
    public record Expression(String key, String operator, List<String> values) {
    }

    /** The selector that matches everything ({@code {}}). */
    public static LabelSelector all() {
        return new LabelSelector(Map.of(), List.of());
    }

    @SuppressWarnings("unchecked")
    static LabelSelector parse(Object node) {
        if (!(node instanceof Map<?, ?>)) {
            return all();
        }
        Map<String, Object> map = (Map<String, Object>) node;
        Map<String, String> labels = (Map<String, String>) map.getOrDefault("matchLabels", Map.of());
        List<Expression> expressions = ((List<Map<String, Object>>) map.getOrDefault("matchExpressions", List.of()))
                .stream()
                .map(e -> new Expression((String) e.get("key"), (String) e.get("operator"),
                        ((List<Object>) e.getOrDefault("values", List.of())).stream().map(String::valueOf).toList()))
                .toList();
        return new LabelSelector(Map.copyOf(labels), expressions);
    }

    public boolean matches(Map<String, String> labels) {
        for (var e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Expression e : expressions) {
            String v = labels.get(e.key());
            boolean ok = switch (e.operator()) {
                case "In" -> v != null && e.values().contains(v);
                case "NotIn" -> v == null || !e.values().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new IllegalArgumentException("unknown selector operator " + e.operator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
