package dev.ordersaga.netpol;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * The pods, services and NetworkPolicies of one namespace as rendered manifests describe them
 * ({@code kubectl kustomize k8s}), and what the policies let through between those pods, by the
 * rules of the NetworkPolicy API: a connection flows only if the source's egress and the
 * destination's ingress both admit it (a side no policy selects for that direction admits all).
 */
public final class Cluster {

    /** One pod: a Deployment is represented by one pod, a StatefulSet by one pod per ordinal. */
    public record Pod(String name, String workload, Map<String, String> labels, Map<String, Integer> ports,
            Map<String, String> env) {
    }

    /** A Service: selector, whether headless, and its ports (port to target port name or number). */
    public record Service(String name, LabelSelector selector, boolean headless, Map<Integer, String> ports) {
    }

    /** A connection from one pod to a port of another. */
    public record Flow(String from, String to, int port) {
        @Override
        public String toString() {
            return from + " -> " + to + ":" + port;
        }
    }

    /** A connection a service needs, and the configuration that asks for it. */
    public record Need(Flow flow, String variable, String value) {
    }

    /**
     * Variables whose values are URLs that are not a peer of the system: a token's issuer names
     * something, and the trace collector lives outside the namespace (export is off by default; a
     * deployment that turns it on adds its own egress allow, see k8s/README.md).
     */
    private static final Set<String> NOT_ADDRESSES = Set.of("MP_JWT_VERIFY_ISSUER", "MP_JWT_VERIFY_AUDIENCES",
            "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    private static final Pattern URL = Pattern.compile("\\b(http|https|postgresql|redis)://([A-Za-z0-9.-]+)(?::(\\d+))?");

    private final String namespace;
    private final List<Pod> pods;
    private final List<Service> services;
    private final List<NetworkPolicy> policies;

    public Cluster(String namespace, List<Pod> pods, List<Service> services, List<NetworkPolicy> policies) {
        this.namespace = namespace;
        this.pods = pods;
        this.services = services;
        this.policies = policies;
    }

    public List<Pod> pods() {
        return pods;
    }

    public List<NetworkPolicy> policies() {
        return policies;
    }

    public String namespace() {
        return namespace;
    }

    public Map<String, String> namespaceLabels() {
        return Map.of("kubernetes.io/metadata.name", namespace);
    }

    /** The same cluster without the policies {@code drop} matches (what a partition toggle leaves). */
    public Cluster without(Predicate<NetworkPolicy> drop) {
        return new Cluster(namespace, pods, services, policies.stream().filter(drop.negate()).toList());
    }

    public Optional<Pod> pod(String name) {
        return pods.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Whether a TCP connection from {@code from} to {@code port} of {@code to} (both in the namespace) flows. */
    public boolean allows(Pod from, Pod to, int port) {
        return admits(from, true, to.labels(), port) && admits(to, false, from.labels(), port);
    }

    private boolean admits(Pod side, boolean egress, Map<String, String> peerLabels, int port) {
        List<NetworkPolicy> selecting = policies.stream()
                .filter(p -> egress ? p.egress() : p.ingress())
                .filter(p -> p.podSelector().matches(side.labels()))
                .toList();
        if (selecting.isEmpty()) {
            return true;
        }
        for (NetworkPolicy p : selecting) {
            for (NetworkPolicy.Rule rule : egress ? p.egressRules() : p.ingressRules()) {
                boolean peer = rule.peers().isEmpty()
                        || rule.peers().stream().anyMatch(x -> x.matches(namespaceLabels(), peerLabels));
                if (peer && rule.admitsPort(port, "TCP")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every pod-to-pod connection (to a declared container port) the policies let through. */
    public List<Flow> allowedFlows() {
        List<Flow> flows = new ArrayList<>();
        for (Pod from : pods) {
            for (Pod to : pods) {
                if (from == to) {
                    continue;
                }
                for (int port : to.ports().values()) {
                    if (allows(from, to, port)) {
                        flows.add(new Flow(from.name(), to.name(), port));
                    }
                }
            }
        }
        return flows;
    }

    /**
     * The connections the services' configuration asks for: every URL in a pod's environment
     * ({@code http}, {@code postgresql}, {@code redis}) names a Service (or one pod behind a headless
     * one), hence pods and a port.
     */
    public List<Need> neededFlows() {
        List<Need> needs = new ArrayList<>();
        for (Pod from : pods) {
            for (var e : from.env().entrySet()) {
                if (NOT_ADDRESSES.contains(e.getKey())) {
                    continue;
                }
                Matcher m = URL.matcher(e.getValue());
                while (m.find()) {
                    String host = m.group(2);
                    int port = m.group(3) != null ? Integer.parseInt(m.group(3)) : defaultPort(m.group(1));
                    for (Pod to : resolve(host, port)) {
                        needs.add(new Need(new Flow(from.name(), to.name(), targetPort(host, port, to)), e.getKey(),
                                e.getValue()));
                    }
                }
            }
        }
        return needs;
    }

    private String[] hostParts(String host) {
        String h = host.replace("." + namespace + ".svc.cluster.local", "").replace("." + namespace + ".svc", "")
                .replace("." + namespace, "");
        return h.split("\\.");
    }

    /** The pods a host name of the namespace reaches: a Service name, or pod.service for a headless one. */
    public List<Pod> resolve(String host, int port) {
        String[] parts = hostParts(host);
        if (parts.length == 1) {
            return services.stream().filter(s -> s.name().equals(parts[0])).findFirst()
                    .map(s -> pods.stream().filter(p -> s.selector().matches(p.labels())).toList())
                    .orElseThrow(() -> new IllegalArgumentException("no Service named '" + parts[0] + "' in " + namespace));
        }
        if (parts.length == 2) {
            Service s = services.stream().filter(x -> x.name().equals(parts[1]) && x.headless()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no headless Service named '" + parts[1] + "'"));
            return pods.stream().filter(p -> p.name().equals(parts[0]) && s.selector().matches(p.labels())).toList();
        }
        throw new IllegalArgumentException("host '" + host + "' is not a Service of namespace " + namespace);
    }

    private int targetPort(String host, int port, Pod to) {
        String[] parts = hostParts(host);
        String serviceName = parts[parts.length - 1];
        Service s = services.stream().filter(x -> x.name().equals(serviceName)).findFirst().orElseThrow();
        String target = s.ports().get(port);
        if (target == null) {
            throw new IllegalArgumentException("Service " + s.name() + " has no port " + port);
        }
        if (target.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(target);
        }
        Integer named = to.ports().get(target);
        if (named == null) {
            throw new IllegalArgumentException("pod " + to.name() + " has no port named " + target);
        }
        return named;
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            case "postgresql" -> 5432;
            case "redis" -> 6379;
            default -> throw new IllegalArgumentException(scheme);
        };
    }

    /** {@code <secretKeyRef:KEY>}, {@code <configMapKeyRef:KEY>} or {@code <fieldRef:PATH>}: resolved by whoever runs the pod. */
    private static String valueFrom(EnvVarSource from) {
        if (from == null) {
            return "<>";
        }
        if (from.getSecretKeyRef() != null) {
            return "<secretKeyRef:" + from.getSecretKeyRef().getKey() + ">";
        }
        if (from.getConfigMapKeyRef() != null) {
            return "<configMapKeyRef:" + from.getConfigMapKeyRef().getKey() + ">";
        }
        if (from.getFieldRef() != null) {
            return "<fieldRef:" + from.getFieldRef().getFieldPath() + ">";
        }
        return "<>";
    }

    public List<Service> services() {
        return services;
    }

    /** Whether {@code pod} may send to {@code port} of a pod labelled {@code peerLabels} (its egress side only). */
    public boolean egressAdmits(Pod pod, Map<String, String> peerLabels, int port) {
        return admits(pod, true, peerLabels, port);
    }

    /** Whether {@code pod} may accept on {@code port} from a pod labelled {@code peerLabels} (its ingress side only). */
    public boolean ingressAdmits(Pod pod, Map<String, String> peerLabels, int port) {
        return admits(pod, false, peerLabels, port);
    }

    /** Whether some policy selects {@code pod} for that direction (then only what is allowed flows). */
    public boolean isolated(Pod pod, boolean egress) {
        return policies.stream().anyMatch(p -> (egress ? p.egress() : p.ingress()) && p.podSelector().matches(pod.labels()));
    }

    /** Reads rendered manifests (a multi-document YAML stream): one pod per Deployment. */
    public static Cluster load(Path rendered) throws IOException {
        return load(rendered, false);
    }

    /**
     * Reads rendered manifests; with {@code everyReplica}, a Deployment of {@code n} replicas is
     * {@code n} pods named {@code <deployment>-0} to {@code <deployment>-(n-1)}, as it runs.
     */
    public static Cluster load(Path rendered, boolean everyReplica) throws IOException {
        try (Reader r = Files.newBufferedReader(rendered)) {
            return of(Manifests.read(r), everyReplica);
        }
    }

    /** The pods (one per Deployment, one per StatefulSet ordinal), Services and NetworkPolicies of the resources. */
    public static Cluster of(List<HasMetadata> resources) {
        return of(resources, false);
    }

    /**
     * The pods (one per StatefulSet ordinal; one per Deployment, or with {@code everyReplica} one per
     * replica of it), Services and NetworkPolicies of the resources.
     */
    public static Cluster of(List<HasMetadata> resources, boolean everyReplica) {
        String namespace = resources.stream().map(r -> r.getMetadata().getNamespace()).filter(Objects::nonNull)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("the manifests name no namespace"));
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .forEach(c -> configMaps.put(c.getMetadata().getName(), c.getData() == null ? Map.of() : c.getData()));
        List<Pod> pods = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        for (HasMetadata r : resources) {
            String name = r.getMetadata().getName();
            if (r instanceof Deployment d) {
                PodTemplateSpec template = d.getSpec().getTemplate();
                if (everyReplica) {
                    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                    for (int i = 0; i < replicas; i++) {
                        pods.add(new Pod(name + "-" + i, name, labels(template), ports(template), env(name, template, configMaps)));
                    }
                } else {
                    pods.add(new Pod(name, name, labels(template), ports(template), env(name, template, configMaps)));
                }
            } else if (r instanceof StatefulSet st) {
                PodTemplateSpec template = st.getSpec().getTemplate();
                int replicas = st.getSpec().getReplicas() == null ? 1 : st.getSpec().getReplicas();
                for (int i = 0; i < replicas; i++) {
                    Map<String, String> l = new LinkedHashMap<>(labels(template));
                    l.put("statefulset.kubernetes.io/pod-name", name + "-" + i);
                    pods.add(new Pod(name + "-" + i, name, Map.copyOf(l), ports(template), env(name, template, configMaps)));
                }
            } else if (r instanceof io.fabric8.kubernetes.api.model.Service svc) {
                Map<Integer, String> ports = new LinkedHashMap<>();
                for (ServicePort p : svc.getSpec().getPorts() == null ? List.<ServicePort>of() : svc.getSpec().getPorts()) {
                    IntOrString target = p.getTargetPort();
                    ports.put(p.getPort(), target == null ? String.valueOf(p.getPort())
                            : target.getIntVal() != null ? String.valueOf(target.getIntVal()) : target.getStrVal());
                }
                Map<String, String> selector = svc.getSpec().getSelector();
                services.add(new Service(name, new LabelSelector(selector == null ? Map.of() : Map.copyOf(selector), List.of()),
                        "None".equals(svc.getSpec().getClusterIP()), ports));
            } else if (r instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy) {
                policies.add(NetworkPolicy.of(policy));
            }
        }
        return new Cluster(namespace, List.copyOf(pods), List.copyOf(services), List.copyOf(policies));
    }

    private static Map<String, String> labels(PodTemplateSpec template) {
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        return labels == null ? Map.of() : Map.copyOf(labels);
    }

    private static Map<String, Integer> ports(PodTemplateSpec template) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Container c : template.getSpec().getContainers()) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                ports.put(p.getName() != null ? p.getName() : String.valueOf(p.getContainerPort()), p.getContainerPort());
            }
        }
        return ports;
    }

    /** The environment of the pod's containers: ConfigMaps it takes whole, then its own variables. */
    private static Map<String, String> env(String workload, PodTemplateSpec template, Map<String, Map<String, String>> configMaps) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Container c : template.getSpec().getContainers()) {
            for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    Map<String, String> data = configMaps.get(from.getConfigMapRef().getName());
                    if (data == null) {
                        throw new IllegalArgumentException(workload + " refers to a missing ConfigMap " + from.getConfigMapRef().getName());
                    }
                    env.putAll(data);
                }
            }
            for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                env.put(e.getName(), e.getValue() != null ? e.getValue() : valueFrom(e.getValueFrom()));
            }
        }
        return env;
    }
}
