package dev.ordersaga.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ordersaga.stack.ProjectRoot;

/**
 * The Grafana dashboard in {@code k8s/observability/} queries only metrics README's observability
 * section documents (which {@code StartupValidationIT} finds on every service at start), so no panel
 * stays empty for want of a metric that does not exist.
 */
class DashboardTest {

    private static final Path ROOT = ProjectRoot.find();
    private static final Set<String> PROMQL = Set.of("histogram_quantile", "label_replace", "increase", "rate", "sum",
            "max", "min", "avg", "by", "without");

    @Test
    void everyPanelQueriesADocumentedMetric() throws IOException {
        List<String> exprs = expressions(Files.readString(ROOT.resolve("k8s/observability/ordersaga-dashboard.json")));

        assertThat(exprs).hasSizeGreaterThan(10);
        assertThat(undocumented(exprs, documented())).isEmpty();
    }

    /** The check fails for a metric no service has. */
    @Test
    void aMetricThatDoesNotExistIsReported() throws IOException {
        assertThat(undocumented(List.of("sum(rate(outbox_teleported_total[1m]))",
                "max by (pod) (ft_circuitbreaker_state_current{state=\"open\"})"), documented()))
                .containsExactly("outbox_teleported_total");
    }

    private static List<String> expressions(String dashboardJson) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : new ObjectMapper().readTree(dashboardJson).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
        }
        return out;
    }

    /** Metric names of README's observability section, and the fault-tolerance guards' family. */
    private static Set<String> documented() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Observability"), readme.indexOf("## Tests"));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z]+_[a-z_]+)").matcher(section);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(section).contains("`ft_*`");
        return names;
    }

    private static List<String> undocumented(List<String> exprs, Set<String> documented) {
        List<String> out = new ArrayList<>();
        for (String expr : exprs) {
            String bare = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*\\}", "")
                    .replaceAll("\\b(by|without) \\([^)]*\\)", "").replaceAll("\\[[^]]*\\]", "");
            Matcher m = Pattern.compile("\\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\\b").matcher(bare);
            while (m.find()) {
                String name = m.group();
                boolean known = PROMQL.contains(name) || name.startsWith("ft_") || documented.contains(name)
                        || documented.contains(name.replaceAll("_(bucket|count|sum)$", ""));
                if (!known) {
                    out.add(name);
                }
            }
        }
        return out;
    }
}
