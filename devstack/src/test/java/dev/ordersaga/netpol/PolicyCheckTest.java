package dev.ordersaga.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;

/** The NetworkPolicy evaluation and the path check on small hand-written manifests (no cluster needed). */
class PolicyCheckTest {

    private static final String WORKLOADS = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: client, namespace: lab}
            spec:
              template:
                metadata: {labels: {app: client}}
                spec:
                  containers:
                    - name: c
                      ports: [{name: http, containerPort: 8080}]
                      env: [{name: SERVER_URL, value: "http://server:80"}, {name: STORE, value: "redis://store-1.store:6379"},
                            {name: MP_JWT_VERIFY_ISSUER, value: "https://issuer.example"},
                            {name: QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, value: "http://collector.elsewhere:4317"}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: server, namespace: lab}
            spec:
              template:
                metadata: {labels: {app: server}}
                spec:
                  containers: [{name: s, ports: [{name: http, containerPort: 9000}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: server, namespace: lab}
            spec: {selector: {app: server}, ports: [{port: 80, targetPort: http}]}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: store, namespace: lab}
            spec:
              replicas: 2
              template:
                metadata: {labels: {app: store}}
                spec:
                  containers: [{name: r, ports: [{name: redis, containerPort: 6379}]}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: store, namespace: lab}
            spec: {clusterIP: None, selector: {app: store}, ports: [{port: 6379, targetPort: redis}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: lab}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            """;

    private static String allow(String name, String path, String from, String to, Object port, String extra) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: %1$s-egress, namespace: lab, labels: {path: %2$s}}
                spec:
                  podSelector: {matchLabels: {app: %3$s}}
                  policyTypes: [Egress]
                  egress: [{to: [{podSelector: {matchLabels: {app: %4$s%6$s}}}], ports: [{port: %5$s}]}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: %1$s-ingress, namespace: lab, labels: {path: %2$s}}
                spec:
                  podSelector: {matchLabels: {app: %4$s%6$s}}
                  policyTypes: [Ingress]
                  ingress: [{from: [{podSelector: {matchLabels: {app: %3$s}}}], ports: [{port: %5$s}]}]
                """.formatted(name, path, from, to, port, extra);
    }

    private static final String STORE_1 = ", statefulset.kubernetes.io/pod-name: store-1";

    private static Cluster cluster(String yaml) throws IOException {
        return Cluster.of(Manifests.read(new StringReader(yaml)));
    }

    private static List<String> paths(String yaml) throws IOException {
        List<String> problems = new ArrayList<>();
        PolicyCheck.paths(cluster(yaml), problems);
        return problems;
    }

    @Test
    void exactlyTheNeededPathsPass() throws IOException {
        String yaml = WORKLOADS + allow("c2s", "c2s", "client", "server", 9000, "")
                + allow("c2r", "c2r", "client", "store", 6379, STORE_1);
        assertThat(paths(yaml)).isEmpty();
    }

    @Test
    void aDependencyWithoutItsPolicyFails() throws IOException {
        String yaml = WORKLOADS + allow("c2s", "c2s", "client", "server", 9000, "");
        assertThat(paths(yaml)).singleElement().asString()
                .contains("needed but not allowed: client -> store-1:6379").contains("STORE");
    }

    @Test
    void anEgressWithoutTheMatchingIngressDoesNotFlow() throws IOException {
        String yaml = WORKLOADS + allow("c2r", "c2r", "client", "store", 6379, STORE_1)
                + allow("c2s", "c2s", "client", "server", 9000, "").split("---\n")[1];
        Cluster c = cluster("---\n" + yaml);
        assertThat(c.allows(c.pod("client").orElseThrow(), c.pod("server").orElseThrow(), 9000)).isFalse();
        assertThat(paths("---\n" + yaml)).anyMatch(p -> p.contains("client -> server:9000"));
    }

    @Test
    void aWrongPortOrAnExtraAllowFails() throws IOException {
        String wrongPort = WORKLOADS + allow("c2s", "c2s", "client", "server", 80, "")
                + allow("c2r", "c2r", "client", "store", 6379, STORE_1);
        assertThat(paths(wrongPort)).anyMatch(p -> p.contains("needed but not allowed: client -> server:9000"));
        String extra = WORKLOADS + allow("c2s", "c2s", "client", "server", 9000, "")
                + allow("c2r", "c2r", "client", "store", 6379, "");
        assertThat(paths(extra)).anyMatch(p -> p.contains("allowed but not needed by any configuration: client -> store-0:6379"));
    }

    @Test
    void withoutDefaultDenyEverythingFlowsAndThatIsReported() throws IOException {
        String open = WORKLOADS.replace("spec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
                "spec: {podSelector: {matchLabels: {app: nobody}}, policyTypes: [Ingress]}");
        assertThat(paths(open)).anyMatch(p -> p.contains("allowed but not needed"));
    }

    @Test
    void aToggleMustCutExactlyWhatItNames() throws IOException {
        Cluster c = cluster(WORKLOADS + allow("c2s", "c2s", "client", "server", 9000, "")
                + allow("c2r", "c2r", "client", "store", 6379, STORE_1));
        List<String> problems = new ArrayList<>();
        PolicyCheck.toggles(c, List.of(
                new Toggle("good", "path", "c2s", "deployment/client", "client", "server", false),
                new Toggle("wrong", "path", "c2r", "deployment/client", "client", "server", false),
                new Toggle("empty", "path", "nothing", "deployment/client", "client", "server", false)), problems);
        assertThat(problems).noneMatch(p -> p.startsWith("toggle good"))
                .anyMatch(p -> p.startsWith("toggle wrong cuts [client -> store-1:6379]"))
                .anyMatch(p -> p.equals("toggle empty removes no NetworkPolicy"));
    }

    @Test
    void selectorsFollowTheApi() {
        var s = LabelSelector.of(new LabelSelectorBuilder().withMatchLabels(Map.of("a", "1"))
                .addNewMatchExpression().withKey("b").withOperator("In").withValues("x", "y").endMatchExpression()
                .addNewMatchExpression().withKey("c").withOperator("DoesNotExist").endMatchExpression().build());
        assertThat(s.matches(Map.of("a", "1", "b", "x"))).isTrue();
        assertThat(s.matches(Map.of("a", "1", "b", "z"))).isFalse();
        assertThat(s.matches(Map.of("a", "1", "b", "y", "c", "1"))).isFalse();
        assertThat(LabelSelector.all().matches(Map.of())).isTrue();
    }
}
