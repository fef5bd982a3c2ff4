package dev.ordersaga.netpol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.ordersaga.netpol.Cluster.Flow;
import dev.ordersaga.netpol.Cluster.Need;
import dev.ordersaga.netpol.Cluster.Pod;

/**
 * Checks rendered manifests against the services' configuration contract and the partition toggles:
 * <ol>
 * <li>every environment variable the README's configuration table gives a service is set on its pods;
 * every property of a service whose default points at a peer ({@code http://}, {@code postgresql://},
 * {@code redis://} on localhost) is in that table, so a new dependency cannot go unnoticed;</li>
 * <li>the NetworkPolicies let through exactly the pod-to-pod connections the pods' configuration
 * asks for: none missing, none extra;</li>
 * <li>each toggle of {@code k8s/chaos/toggles} removes allows that cut exactly the connections it
 * names, and at least one.</li>
 * </ol>
 * Usage: {@code PolicyCheck <rendered.yaml> <project root>}; exits 1 with the list of problems.
 */
public final class PolicyCheck {

    private static final Pattern PEER_DEFAULT = Pattern.compile(
            "^(?:%dev\\.)?([a-z][a-z0-9.-]*)\\s*=\\s*(?:http|https|postgresql|redis)://localhost\\b");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\|([^|]*)\\|([^|]*)\\|");
    private static final Pattern VARIABLE = Pattern.compile("`([A-Z][A-Z0-9_]*)`");
    private static final List<String> SERVICES = List.of("api", "worker", "quorum-gateway");

    private PolicyCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path rendered = Path.of(args[0]);
        Path root = Path.of(args.length > 1 ? args[1] : ".");
        List<String> problems = check(Cluster.load(rendered), root);
        if (problems.isEmpty()) {
            System.out.println("policy check: configuration contract, needed paths and toggles all hold");
            return;
        }
        problems.forEach(p -> System.err.println("policy check: " + p));
        System.exit(1);
    }

    public static List<String> check(Cluster cluster, Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        contract(cluster, root, problems);
        paths(cluster, problems);
        toggles(cluster, Toggle.load(root.resolve("k8s/chaos/toggles")), problems);
        return problems;
    }

    /** The README's configuration table: service to the variables documented for it. */
    public static Map<String, Set<String>> documented(Path readme) throws IOException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        SERVICES.forEach(s -> out.put(s, new TreeSet<>()));
        boolean inTable = false;
        for (String line : Files.readAllLines(readme)) {
            if (line.startsWith("| variable | service |")) {
                inTable = true;
                continue;
            }
            if (inTable && !line.startsWith("|")) {
                break;
            }
            Matcher row = TABLE_ROW.matcher(line);
            if (!inTable || !row.find() || line.startsWith("|---")) {
                continue;
            }
            Set<String> vars = new LinkedHashSet<>();
            Matcher v = VARIABLE.matcher(row.group(1));
            while (v.find()) {
                vars.add(v.group(1));
            }
            for (String service : row.group(2).split(",")) {
                String s = service.strip();
                if (s.equals("all")) {
                    out.values().forEach(set -> set.addAll(vars));
                } else if (out.containsKey(s)) {
                    out.get(s).addAll(vars);
                }
            }
        }
        return out;
    }

    /** Variables documented as alternatives ("`A` or `B`" in one row): each maps to all of its row's. */
    static Map<String, Set<String>> alternatives(Path readme) throws IOException {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(readme)) {
            Matcher row = TABLE_ROW.matcher(line);
            if (!line.startsWith("| `") || !row.find() || !row.group(1).contains("` or `")) {
                continue;
            }
            Set<String> vars = new LinkedHashSet<>();
            Matcher v = VARIABLE.matcher(row.group(1));
            while (v.find()) {
                vars.add(v.group(1));
            }
            vars.forEach(x -> out.put(x, vars));
        }
        return out;
    }

    private static void contract(Cluster cluster, Path root, List<String> problems) throws IOException {
        Map<String, Set<String>> documented = documented(root.resolve("README.md"));
        for (String service : SERVICES) {
            if (documented.get(service).isEmpty()) {
                problems.add("README's configuration table documents no variable for " + service);
            }
            List<Pod> pods = cluster.pods().stream().filter(p -> p.workload().equals(service)).toList();
            if (pods.isEmpty()) {
                problems.add("no workload named " + service + " in the manifests");
                continue;
            }
            Map<String, Set<String>> alternatives = alternatives(root.resolve("README.md"));
            for (String variable : documented.get(service)) {
                Set<String> anyOf = alternatives.getOrDefault(variable, Set.of(variable));
                for (Pod p : pods) {
                    if (anyOf.stream().noneMatch(p.env()::containsKey)) {
                        problems.add(p.name() + " does not set " + String.join(" or ", anyOf)
                                + " (README's configuration contract)");
                        break;
                    }
                }
            }
            Path properties = root.resolve(service + "/src/main/resources/application.properties");
            for (String line : Files.readAllLines(properties)) {
                Matcher m = PEER_DEFAULT.matcher(line.strip());
                if (m.find()) {
                    String variable = m.group(1).toUpperCase().replaceAll("[.-]", "_");
                    if (!documented.get(service).contains(variable)) {
                        problems.add(service + " depends on a peer through " + m.group(1) + " but " + variable
                                + " is not in README's configuration table");
                    }
                }
            }
        }
    }

    static void paths(Cluster cluster, List<String> problems) {
        List<Need> needs;
        try {
            needs = cluster.neededFlows();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return;
        }
        Set<Flow> needed = needs.stream().map(Need::flow).collect(Collectors.toCollection(LinkedHashSet::new));
        Set<Flow> allowed = new LinkedHashSet<>(cluster.allowedFlows());
        for (Need n : needs) {
            if (!allowed.contains(n.flow())) {
                problems.add("needed but not allowed: " + n.flow() + " (" + n.variable() + "=" + n.value() + ")");
            }
        }
        for (Flow f : allowed) {
            if (!needed.contains(f)) {
                problems.add("allowed but not needed by any configuration: " + f);
            }
        }
        System.out.println("policy check: " + needed.size() + " needed connections, " + allowed.size() + " allowed");
    }

    static void toggles(Cluster cluster, List<Toggle> toggles, List<String> problems) {
        Map<String, Pod> pods = cluster.pods().stream().collect(Collectors.toMap(Pod::name, Function.identity()));
        Set<Flow> before = new HashSet<>(cluster.allowedFlows());
        for (Toggle t : toggles) {
            long removedPolicies = cluster.policies().stream().filter(t::removes).count();
            if (removedPolicies == 0) {
                problems.add("toggle " + t.name() + " removes no NetworkPolicy");
                continue;
            }
            Set<Flow> after = new HashSet<>(cluster.without(t::removes).allowedFlows());
            Set<Flow> cut = new TreeSet<>(Comparator.comparing(Flow::toString));
            before.stream().filter(f -> !after.contains(f)).forEach(cut::add);
            Set<Flow> meant = new TreeSet<>(Comparator.comparing(Flow::toString));
            before.stream().filter(f -> t.cuts(f, pods)).forEach(meant::add);
            if (meant.isEmpty()) {
                problems.add("toggle " + t.name() + " names connections that are not allowed in the first place");
            }
            if (!cut.equals(meant)) {
                problems.add("toggle " + t.name() + " cuts " + cut + " but is meant to cut " + meant);
            }
            if (after.stream().anyMatch(f -> !before.contains(f))) {
                problems.add("toggle " + t.name() + " lets through something that was denied");
            }
            System.out.printf("policy check: %-20s removes %d allows, cuts %d connections%n", t.name(), removedPolicies,
                    cut.size());
        }
    }
}
