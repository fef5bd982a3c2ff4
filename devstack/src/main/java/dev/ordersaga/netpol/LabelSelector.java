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

    /** The selector of the API model; a missing one ({@code null}) matches everything. */
    static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return all();
        }
        Map<String, String> labels = selector.getMatchLabels() == null ? Map.of() : Map.copyOf(selector.getMatchLabels());
        List<Expression> expressions = selector.getMatchExpressions() == null ? List.of()
                : selector.getMatchExpressions().stream()
                        .map(e -> new Expression(e.getKey(), e.getOperator(), e.getValues() == null ? List.of() : List.copyOf(e.getValues())))
                        .toList();
        return new LabelSelector(labels, expressions);
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
