package dev.ordersaga.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordersaga.netpol.Cluster;

/** The lab runs every replica the manifests deploy, and spreads the Services' traffic over them (no root needed). */
class LabNetworkTest {

    /** Two Deployments of two replicas, a StatefulSet of one, and a Service in front of each. */
    private static final String YAML = String.join("---\n", workload("Deployment", "api", 2, 8080),
            workload("Deployment", "worker", 2, 8081), workload("StatefulSet", "postgres", 1, 5432));

    private static String workload(String kind, String name, int replicas, int port) {
        return """
                apiVersion: apps/v1
                kind: %1$s
                metadata: {name: %2$s, namespace: lab}
                spec:
                  replicas: %3$d
                  template:
                    metadata: {labels: {app: %2$s}}
                    spec: {containers: [{name: c, ports: [{name: p, containerPort: %4$d}]}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: %2$s, namespace: lab}
                spec: {selector: {app: %2$s}, ports: [{port: %4$d}]}
                """.formatted(kind, name, replicas, port);
    }

    private final LabNetwork net = LabNetwork.of(Map.of("api-0", "10.77.0.2", "api-1", "10.77.0.3",
            "worker-0", "10.77.0.4", "worker-1", "10.77.0.5", "postgres-0", "10.77.0.6"));

    private static Cluster cluster(boolean everyReplica) throws IOException {
        Path f = Files.createTempFile("lab", ".yaml");
        try {
            Files.writeString(f, YAML);
            return Cluster.load(f, everyReplica);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void everyReplicaOfADeploymentIsAPodOfItsOwn() throws IOException {
        assertThat(cluster(true).pods()).extracting(Cluster.Pod::name)
                .containsExactly("api-0", "api-1", "worker-0", "worker-1", "postgres-0");
        assertThat(cluster(true).pods()).extracting(Cluster.Pod::workload)
                .containsExactly("api", "api", "worker", "worker", "postgres");
        // the policy checker reasons about workloads: one pod per Deployment there
        assertThat(cluster(false).pods()).extracting(Cluster.Pod::name).containsExactly("api", "worker", "postgres-0");
    }

    @Test
    void eachReplicaReachesThePodOfItsOwnOrdinalBehindAServiceSoBothCarryTraffic() throws IOException {
        Cluster c = cluster(true);
        String api0 = net.hosts(c, c.pod("api-0").orElseThrow());
        String api1 = net.hosts(c, c.pod("api-1").orElseThrow());
        String worker1 = net.hosts(c, c.pod("worker-1").orElseThrow());
        assertThat(api0).contains("10.77.0.4 worker worker.lab.svc.cluster.local\n").doesNotContain("10.77.0.5 worker ");
        assertThat(api1).contains("10.77.0.5 worker worker.lab.svc.cluster.local\n").doesNotContain("10.77.0.4 worker ");
        assertThat(worker1).contains("10.77.0.3 api api.lab.svc.cluster.local\n");
        // a workload of one pod is behind its Service for every replica
        assertThat(List.of(api0, api1, worker1)).allSatisfy(h -> assertThat(h).contains("10.77.0.6 postgres "));
    }

    @Test
    void aPacketLossNamingOnePodCutsThatReplicaAlone() throws IOException {
        Cluster c = cluster(true);
        List<NftCompiler.Loss> cut = List.of(new NftCompiler.Loss("api-0", "postgres-0", 100));
        assertThat(NftCompiler.ruleset(c, c.pod("api-0").orElseThrow(), net, cut))
                .contains("ip daddr 10.77.0.6 tcp dport 5432 drop");
        assertThat(NftCompiler.ruleset(c, c.pod("api-1").orElseThrow(), net, cut)).doesNotContain("drop\n");
    }
}
