package dev.ordersaga.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.PostgresServer;
import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TcpProxy;
import dev.ordersaga.testsupport.TokenIssuer;

/**
 * The order flow as separate processes: one real PostgreSQL with a database per service, the
 * packaged worker and api configured only by environment, and a TCP proxy on each path between them
 * (api to worker, worker to api, api to gateway) so that each direction can be cut on its own; and
 * three Redis nodes behind the packaged quorum gateway, which holds the api's order read model.
 * With {@link Builder#everyPathProxied()} the gateway's paths to the Redis nodes and the services'
 * paths to PostgreSQL go through proxies too. {@link #paths()} names every proxy by its toggle name.
 */
public final class OrderStack implements AutoCloseable {

    /** The shared secret of this stack's services: new for every stack. */
    public final String secret = randomSecret();
    /** Session token keys of this stack's api (the first signs): new for every stack. */
    private final String sessionKeys = "s1=" + randomSecret();
    /** Keys that sign the gateway's causal contexts: new for every stack. */
    private final String contextKeys = "c1=" + randomSecret();

    public final PostgresServer postgres;
    public final TcpProxy apiToWorker;
    public final TcpProxy workerToApi;
    public final ServiceProcess worker;
    public final ServiceProcess api;
    /** The three Redis nodes of the quorum gateway, which holds the api's order read model. */
    public final List<RedisNode> redis = new ArrayList<>();
    public final ServiceProcess gateway;
    public final TcpProxy apiToGateway;
    /** Mints the bearer JWTs of this stack's customers (the api trusts its public key). */
    public final TokenIssuer tokens;
    private final Path root;
    private final Path logs;
    private final boolean direct;
    private final Map<String, TcpProxy> paths = new LinkedHashMap<>();
    private final List<Path> temporary = new ArrayList<>();
    private final boolean readmeDefaults;
    private final int firstProxyPort;

    private OrderStack(Builder b) {
        root = ProjectRoot.find();
        firstProxyPort = b.proxyPort;
        logs = b.logs != null ? b.logs : root.resolve("target/stack-logs/" + b.name);
        readmeDefaults = b.readmeDefaults;
        tokens = TokenIssuer.create(tempDir("ordersaga-jwt-"));
        postgres = PostgresServer.start(b.postgresPort, null);
        postgres.createDatabase("orders", "orders", "orders-pw");
        postgres.createDatabase("stock", "stock", "stock-pw");
        int apiPort = b.apiPort > 0 ? b.apiPort : Ports.free();
        int workerPort = b.workerPort > 0 ? b.workerPort : Ports.free();
        apiToWorker = path("api-to-worker", workerPort);
        workerToApi = path("worker-to-api", apiPort);
        direct = b.direct;
        Path redisData = tempDir("ordersaga-redis-");
        for (int i = 0; i < 3; i++) {
            redis.add(new RedisNode(b.redisPorts != null ? b.redisPorts[i] : Ports.free(), redisData.resolve("redis-" + i)));
        }
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(b.everyPath ? "redis://127.0.0.1:" + path("gateway-to-redis-" + i, redis.get(i).port()).port()
                    : redis.get(i).url());
        }
        if (b.everyPath) {
            path("api-to-postgres", postgres.port());
            path("worker-to-postgres", postgres.port());
        }
        int gatewayPort = b.gatewayPort > 0 ? b.gatewayPort : Ports.free();
        apiToGateway = path("api-to-gateway", gatewayPort);
        gateway = new ServiceProcess("quorum-gateway", ServiceProcess.jarOf(root, "quorum-gateway"), gatewayPort, logs)
                .env("GATEWAY_NODES", String.join(",", nodes))
                .env("GATEWAY_ID", "gateway-" + b.name)
                .env("INTERNAL_SECRET", secret)
                .env("GATEWAY_CONTEXT_KEYS", contextKeys);
        if (!readmeDefaults) {
            gateway.env("GATEWAY_BREAKER_DELAY", "500ms");
        }
        worker = new ServiceProcess("worker", ServiceProcess.jarOf(root, "worker"), workerPort, logs)
                .env("API_URL", direct ? "http://127.0.0.1:" + apiPort : workerToApi.url());
        database(worker, "stock", "stock-pw", paths.get("worker-to-postgres"));
        faultTolerantDefaults(worker, "API");
        api = apiProcess("api", apiPort);
        if (b.managementPorts != null) {
            api.managementPort(b.managementPorts[0]);
            worker.managementPort(b.managementPorts[1]);
            gateway.managementPort(b.managementPorts[2]);
        }
        for (ServiceProcess p : List.of(api, worker, gateway)) {
            p.env("QUARKUS_HTTP_HOST", b.host).env("QUARKUS_MANAGEMENT_HOST", b.host);
        }
        b.workerEnv.forEach(worker::env);
        b.apiEnv.forEach(api::env);
        b.gatewayEnv.forEach(gateway::env);
    }

    /** A proxy on a path, named as the toggle that cuts it. */
    private TcpProxy path(String name, int target) {
        TcpProxy proxy = TcpProxy.start(firstProxyPort > 0 ? firstProxyPort + paths.size() : Ports.free(), target);
        paths.put(name, proxy);
        return proxy;
    }

    /** Every proxied path of this stack, by toggle name (api-to-worker, gateway-to-redis-0, ...). */
    public Map<String, TcpProxy> paths() {
        return paths;
    }

    private Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            temporary.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another api instance on the same database (a second publisher), not started. */
    public ServiceProcess apiProcess(String name, int port) {
        ServiceProcess p = new ServiceProcess(name, ServiceProcess.jarOf(root, "api"), port, logs)
                .env("WORKER_URL", direct ? "http://127.0.0.1:" + worker.port() : apiToWorker.url())
                .env("GATEWAY_URL", direct ? gateway.url() : apiToGateway.url())
                .env("SESSION_TOKEN_KEYS", sessionKeys)
                .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokens.publicKeyFile().toUri().toString());
        database(p, "orders", "orders-pw", paths.get("api-to-postgres"));
        faultTolerantDefaults(p, "WORKER");
        return p;
    }

    private void database(ServiceProcess p, String db, String password, TcpProxy proxy) {
        p.env("QUARKUS_DATASOURCE_REACTIVE_URL", proxy == null ? postgres.reactiveUrl(db)
                        : "postgresql://127.0.0.1:" + proxy.port() + "/" + db)
                .env("QUARKUS_DATASOURCE_USERNAME", db)
                .env("QUARKUS_DATASOURCE_PASSWORD", password)
                .env("INTERNAL_SECRET", secret);
    }

    /** Short guards and a brisk outbox, so that faults heal within a test's patience (not for the local stack). */
    private void faultTolerantDefaults(ServiceProcess p, String peer) {
        if (readmeDefaults) {
            return;
        }
        p.env("OUTBOX_BACKOFF_BASE", "100ms")
                .env("OUTBOX_BACKOFF_CAP", "1s")
                .env("OUTBOX_LEASE", "5s")
                .env(peer + "_CLIENT_TIMEOUT_MS", "1000")
                .env(peer + "_CLIENT_BREAKER_DELAY_MS", "1000");
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Starts the Redis nodes, the gateway, the worker, then the api; stops everything again if one fails. */
    public OrderStack start() {
        try {
            redis.forEach(RedisNode::start);
            gateway.start();
            worker.start();
            api.start();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code Authorization} of services and operators (INTERNAL_SECRET). */
    public String bearer() {
        return "Bearer " + secret;
    }

    /** {@code Authorization} of a customer (a JWT whose subject is {@code customer}). */
    public String customer(String customer) {
        return tokens.bearer(customer);
    }

    @Override
    public void close() {
        // SIGTERM to every service at once, so that they stop side by side, then wait for each.
        for (ServiceProcess p : List.of(api, worker, gateway)) {
            p.signalStop();
        }
        List<AutoCloseable> all = new ArrayList<>(List.of(api, worker, gateway));
        all.addAll(paths.values());
        all.add(postgres);
        all.addAll(redis);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        temporary.forEach(Folders::deleteQuietly);
    }

    /** Options of a stack. */
    public static final class Builder {
        private final String name;
        private final Map<String, String> apiEnv = new LinkedHashMap<>();
        private final Map<String, String> workerEnv = new LinkedHashMap<>();
        private final Map<String, String> gatewayEnv = new LinkedHashMap<>();
        private int gatewayPort;
        private int apiPort;
        private int workerPort;
        private boolean direct;
        private boolean everyPath;
        private boolean readmeDefaults;
        private int postgresPort;
        private int[] redisPorts;
        private int[] managementPorts;
        private Path logs;
        private int proxyPort;
        private String host = "127.0.0.1";

        private Builder(String name) {
            this.name = name;
        }

        public Builder apiEnv(String key, String value) {
            apiEnv.put(key, value);
            return this;
        }

        public Builder workerEnv(String key, String value) {
            workerEnv.put(key, value);
            return this;
        }

        /** Services talk to each other directly, not through the proxies (no faults: benchmarks). */
        public Builder direct() {
            this.direct = true;
            return this;
        }

        public Builder gatewayEnv(String key, String value) {
            gatewayEnv.put(key, value);
            return this;
        }

        public Builder gatewayPort(int port) {
            this.gatewayPort = port;
            return this;
        }

        public Builder ports(int api, int worker) {
            this.apiPort = api;
            this.workerPort = worker;
            return this;
        }

        /** The gateway's paths to the Redis nodes and the services' paths to PostgreSQL go through proxies too. */
        public Builder everyPathProxied() {
            this.everyPath = true;
            return this;
        }

        /** README's defaults for every setting: no short test guards or backoff. */
        public Builder readmeDefaults() {
            this.readmeDefaults = true;
            return this;
        }

        public Builder postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        public Builder redisPorts(int... ports) {
            this.redisPorts = ports.clone();
            return this;
        }

        /** Management (metrics) ports of api, worker and gateway. */
        public Builder managementPorts(int api, int worker, int gateway) {
            this.managementPorts = new int[] { api, worker, gateway };
            return this;
        }

        public Builder logs(Path dir) {
            this.logs = dir;
            return this;
        }

        /** The proxies listen on consecutive ports from {@code first} (default: free ones). */
        public Builder proxyPorts(int first) {
            this.proxyPort = first;
            return this;
        }

        /** The address api, worker and gateway listen on (default 127.0.0.1: this machine only). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public OrderStack build() {
            return new OrderStack(this);
        }
    }
}
