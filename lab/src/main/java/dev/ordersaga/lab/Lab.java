package dev.ordersaga.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ordersaga.netpol.Cluster;
import dev.ordersaga.netpol.Cluster.Pod;
import dev.ordersaga.netpol.Toggle;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TokenIssuer;

/**
 * The whole system on one machine, each pod of the rendered manifests in its own network namespace:
 * PostgreSQL (Debian's postgresql-15, initialised by the very init script the StatefulSet mounts),
 * three redis-servers, two api and two worker replicas sharing their databases, and two
 * quorum-gateway coordinators, as many as the manifests deploy, configured by the
 * manifests' ConfigMaps and Secret values. The manifests' NetworkPolicies are compiled to nftables
 * in each namespace; partition toggles remove the same allows as {@code k8s/chaos/partition.sh}.
 */
public final class Lab implements AutoCloseable {

    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private final Path root;
    private final Cluster full;
    private final TokenIssuer tokens;
    private final Map<String, String> secrets;
    private final Map<String, Map<String, String>> overrides;
    private final Path work;
    /** Data of the servers, outside the checkout: the postgres and redis users must be able to reach it. */
    private final Path data;
    private final List<Toggle> toggles;
    private final Set<String> on = new LinkedHashSet<>();
    private final List<NftCompiler.Loss> losses = new ArrayList<>();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final List<Process> servers = new ArrayList<>();
    private LabNetwork net;

    /**
     * @param overrides per workload (api, worker, quorum-gateway), environment on top of the manifests'
     *        (a scenario's shorter timeouts or injected slowness)
     */
    public Lab(Path root, Path rendered, Path work, Map<String, Map<String, String>> overrides) throws IOException {
        this.root = root;
        this.full = Cluster.load(rendered, true);
        this.secrets = readEnv(root.resolve("k8s/secrets/secrets.env"));
        Recorder.authorization = "Bearer " + secret("INTERNAL_SECRET");
        this.tokens = TokenIssuer.load(root.resolve("k8s/secrets/jwt-private.pem"));
        this.overrides = overrides;
        this.work = work;
        this.data = Path.of("/var/tmp/ordersaga-lab").resolve(work.getFileName().toString());
        this.toggles = Toggle.load(root.resolve("k8s/chaos/toggles"));
    }

    public Cluster cluster() {
        return full;
    }

    public String ip(String pod) {
        return net.ip(pod);
    }

    /** The pods of a workload (api-0 and api-1 for the api's two replicas), in ordinal order. */
    public List<String> pods(String workload) {
        return full.pods().stream().filter(p -> p.workload().equals(workload)).map(Pod::name).toList();
    }

    /** The first api replica's URL (each replica answers for the whole system: they share one database). */
    public String apiUrl() {
        return apiUrls().get(0);
    }

    /** Every api replica's URL, in ordinal order. */
    public List<String> apiUrls() {
        return urls("api");
    }

    public String workerUrl() {
        return urls("worker").get(0);
    }

    /** The URL of every pod of a workload (at its container's first port), in ordinal order. */
    public List<String> urls(String workload) {
        return full.pods().stream().filter(p -> p.workload().equals(workload))
                .map(p -> "http://" + ip(p.name()) + ":" + p.ports().values().iterator().next()).toList();
    }

    /** The management interface (metrics) of a pod: its QUARKUS_MANAGEMENT_PORT from the manifests. */
    public String managementUrl(String pod) {
        return "http://" + ip(pod) + ":" + full.pods().stream().filter(p -> p.name().equals(pod)).findFirst()
                .map(p -> p.env().getOrDefault("QUARKUS_MANAGEMENT_PORT", "9000")).orElse("9000");
    }

    /** The management interfaces of every pod of a workload. */
    public List<String> managementUrls(String workload) {
        return pods(workload).stream().map(this::managementUrl).toList();
    }

    public String gatewayUrl(int i) {
        return "http://" + ip("quorum-gateway-" + i) + ":8082";
    }

    /** {@code Authorization} of a customer of the lab (a JWT signed with k8s/secrets/jwt-private.pem). */
    public String customer(String customer) {
        return tokens.bearer(customer);
    }

    public String secret(String key) {
        return secrets.get(key);
    }

    public Set<String> togglesOn() {
        return Set.copyOf(on);
    }

    public Lab start() throws Exception {
        for (Path dir : List.of(work, data)) {
            Folders.delete(dir);
            Files.createDirectories(dir);
        }
        net = LabNetwork.create(full);
        applyRules();
        startPostgres();
        for (int i = 0; i < 3; i++) {
            startRedis("redis-" + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<ServiceProcess>> started = new ArrayList<>();
        for (Pod pod : full.pods()) {
            if (List.of("api", "worker", "quorum-gateway").contains(pod.workload())) {
                ServiceProcess p = service(pod);
                services.put(pod.name(), p);
                started.add(pool.submit(p::start));
            }
        }
        for (Future<ServiceProcess> f : started) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        return this;
    }

    public ServiceProcess service(String pod) {
        return services.get(pod);
    }

    /** Cuts ({@code on}) or heals a toggle of k8s/chaos/toggles by recompiling every pod's rules without its allows. */
    public void partition(String toggle, boolean cut) {
        if (toggles.stream().noneMatch(t -> t.name().equals(toggle))) {
            throw new IllegalArgumentException("unknown toggle " + toggle);
        }
        if (cut) {
            on.add(toggle);
        } else {
            on.remove(toggle);
        }
        applyRules();
    }

    /** Drops {@code percent}% of packets from pods of {@code from} to pods of {@code to}; 0 removes it. */
    public void loss(String from, String to, int percent) {
        losses.removeIf(l -> l.from().equals(from) && l.to().equals(to));
        if (percent > 0) {
            losses.add(new NftCompiler.Loss(from, to, percent));
        }
        applyRules();
    }

    /** The policies in force: all of them but those the toggles that are on remove. */
    public Cluster current() {
        return full.without(p -> toggles.stream().anyMatch(t -> on.contains(t.name()) && t.removes(p)));
    }

    private synchronized void applyRules() {
        Cluster c = current();
        for (Pod pod : c.pods()) {
            List<String> cmd = new ArrayList<>(LabNetwork.exec(pod.name()));
            cmd.addAll(List.of("nft", "-f", "-"));
            Sh.run(NftCompiler.ruleset(c, pod, net, losses), cmd);
        }
    }

    private ServiceProcess service(Pod pod) {
        Path jar = ServiceProcess.jarOf(root, pod.workload());
        ServiceProcess p = new ServiceProcess(pod.name(), jar, pod.ports().values().iterator().next(), work.resolve("logs"))
                .wrapper(LabNetwork.exec(pod.name()))
                .host(ip(pod.name()));
        pod.env().forEach((k, v) -> p.env(k, resolve(pod, v)));
        overrides.getOrDefault(pod.workload(), Map.of()).forEach(p::env);
        return p;
    }

    private String resolve(Pod pod, String value) {
        if (value.startsWith("<secretKeyRef:")) {
            String key = value.substring("<secretKeyRef:".length(), value.length() - 1);
            String secret = secrets.get(key);
            if (secret == null) {
                throw new IllegalStateException("secrets.env has no " + key);
            }
            return secret;
        }
        if (value.equals("<fieldRef:metadata.name>")) {
            return pod.name();
        }
        return value;
    }

    private void startPostgres() throws Exception {
        Path pgdata = data.resolve("postgres");
        Path sock = data.resolve("postgres-sock");
        Path script = data.resolve("init-databases.sh");
        Files.createDirectories(pgdata);
        Files.createDirectories(sock);
        Files.copy(root.resolve("k8s/postgres/init-databases.sh"), script);
        Sh.run("chmod", "755", data.getParent().toString(), data.toString(), script.toString());
        Sh.run("chown", "-R", "postgres:postgres", pgdata.toString(), sock.toString());
        Sh.run("chmod", "700", pgdata.toString());
        Sh.run("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", PG_BIN + "/initdb", "-D",
                pgdata.toString(), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256");
        Files.writeString(pgdata.resolve("pg_hba.conf"), "host all all 10.77.0.0/24 scram-sha-256\n",
                StandardOpenOption.APPEND);
        String ip = ip("postgres-0");
        servers.add(new ProcessBuilder(concat(LabNetwork.exec("postgres-0"), List.of("setpriv", "--reuid=postgres",
                "--regid=postgres", "--init-groups", "--", PG_BIN + "/postgres", "-D", pgdata.toString(), "-p", "5432",
                "-c", "listen_addresses=" + ip, "-c", "unix_socket_directories=" + sock, "-c", "max_connections=200",
                "-c", "fsync=off")))
                .redirectErrorStream(true).redirectOutput(work.resolve("postgres.log").toFile()).start());
        for (int i = 0; i < 100; i++) {
            try {
                Sh.run(PG_BIN + "/pg_isready", "-h", sock.toString(), "-p", "5432");
                break;
            } catch (IllegalStateException e) {
                Thread.sleep(100);
            }
        }
        // the same script the StatefulSet runs on first start
        List<String> init = concat(LabNetwork.exec("postgres-0"), List.of("setpriv", "--reuid=postgres", "--regid=postgres",
                "--init-groups", "--", "env", "POSTGRES_USER=postgres", "PGHOST=" + sock, "PGPORT=5432",
                "ORDERS_DB_PASSWORD=" + secrets.get("ORDERS_DB_PASSWORD"),
                "STOCK_DB_PASSWORD=" + secrets.get("STOCK_DB_PASSWORD"),
                "bash", script.toString()));
        Sh.run(null, init);
    }

    private void startRedis(String pod) throws IOException {
        Path dir = data.resolve(pod);
        Files.createDirectories(dir);
        Sh.run("chown", "-R", "redis:redis", dir.toString());
        servers.add(new ProcessBuilder(concat(LabNetwork.exec(pod), List.of("setpriv", "--reuid=redis", "--regid=redis",
                "--init-groups", "--", "redis-server", "--bind", ip(pod), "--port", "6379", "--protected-mode", "no",
                "--appendonly", "yes", "--save", "", "--dir", dir.toString(), "--daemonize", "no")))
                .redirectErrorStream(true).redirectOutput(work.resolve(pod + ".log").toFile()).start());
    }

    /** A JDBC connection to a service's database, from the node. */
    public Connection db(String database) throws SQLException {
        String user = database.equals("orders") ? "orders" : "stock";
        String password = secrets.get(database.equals("orders") ? "ORDERS_DB_PASSWORD" : "STOCK_DB_PASSWORD");
        return DriverManager.getConnection("jdbc:postgresql://" + ip("postgres-0") + ":5432/" + database, user, password);
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::kill);
        servers.forEach(Process::destroyForcibly);
        LabNetwork.teardown();
        Folders.deleteQuietly(data); // best effort: the next run clears it
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            throw new UncheckedIOException(new IOException(file + " is missing: run k8s/secrets/generate.sh"));
        }
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }
}
