package dev.ordersaga.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordersaga.netpol.Cluster;

/** The nftables rules the lab compiles from NetworkPolicies, checked as text (no root needed). */
class NftCompilerTest {

    private static final String YAML = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: lab}
            spec:
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: a, ports: [{name: http, containerPort: 8080}]}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: worker, namespace: lab}
            spec:
              template:
                metadata: {labels: {app: worker}}
                spec: {containers: [{name: w, ports: [{name: http, containerPort: 8081}]}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: lab}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: a2w-egress, namespace: lab, labels: {ordersaga.dev/path: api-to-worker}}
            spec:
              podSelector: {matchLabels: {app: api}}
              policyTypes: [Egress]
              egress: [{to: [{podSelector: {matchLabels: {app: worker}}}], ports: [{port: 8081}]}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: a2w-ingress, namespace: lab, labels: {ordersaga.dev/path: api-to-worker}}
            spec:
              podSelector: {matchLabels: {app: worker}}
              policyTypes: [Ingress]
              ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 8081}]}]
            """;

    private final LabNetwork net = LabNetwork.of(Map.of("api", "10.77.0.2", "worker", "10.77.0.3"));

    private Cluster cluster() throws IOException {
        Path f = Files.createTempFile("lab", ".yaml");
        try {
            Files.writeString(f, YAML);
            return Cluster.load(f);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void anAllowedPathBecomesAnEgressRuleAtTheSourceAnIngressRuleAtTheDestinationAndTheirReplies() throws IOException {
        Cluster c = cluster();
        String api = NftCompiler.ruleset(c, c.pod("api").orElseThrow(), net, List.of());
        String worker = NftCompiler.ruleset(c, c.pod("worker").orElseThrow(), net, List.of());
        assertThat(api).contains("policy drop;").contains("ip daddr 10.77.0.3 tcp dport 8081 accept")
                .contains("ip saddr 10.77.0.3 tcp sport 8081 ct state established accept")
                .doesNotContain("tcp dport 8080 accept\n    ip saddr 10.77.0.3");
        assertThat(worker).contains("ip saddr 10.77.0.2 tcp dport 8081 accept")
                .contains("ip daddr 10.77.0.2 tcp sport 8081 ct state established accept")
                .doesNotContain("ip daddr 10.77.0.2 tcp dport 8080 accept");
        // no blanket "established" rule: removing the allow stops the connections it carried
        assertThat(api + worker).doesNotContain("ct state established,related accept\n").doesNotContain("ct state { established");
        assertThat(api).startsWith("table inet olab\ndelete table inet olab\n");
    }

    @Test
    void aToggleRemovesTheRulesOfItsPathAndLossAddsADropAheadOfTheAllow() throws IOException {
        Cluster cut = cluster().without(p -> "api-to-worker".equals(p.labels().get("ordersaga.dev/path")));
        String api = NftCompiler.ruleset(cut, cut.pod("api").orElseThrow(), net, List.of());
        assertThat(api).doesNotContain("10.77.0.3");
        Cluster c = cluster();
        String lossy = NftCompiler.ruleset(c, c.pod("api").orElseThrow(), net, List.of(new NftCompiler.Loss("api", "worker", 30)));
        assertThat(lossy.indexOf("numgen random mod 100 < 30 drop")).isPositive()
                .isLessThan(lossy.indexOf("ip daddr 10.77.0.3 tcp dport 8081 accept"));
        String blocked = NftCompiler.ruleset(c, c.pod("api").orElseThrow(), net, List.of(new NftCompiler.Loss("api", "worker", 100)));
        assertThat(blocked).contains("ip daddr 10.77.0.3 tcp dport 8081 drop").doesNotContain("numgen");
    }
}
