package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordersaga.netpol.PolicyCheck;
import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.PostgresServer;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TokenIssuer;

/**
 * Every service refuses to start (exits non-zero, never reports ready) with a setting it cannot
 * work with, and says which in its log: one case per rule, each against an otherwise valid
 * configuration and a real PostgreSQL, as the packaged jar runs in production.
 */
class StartupValidationIT {

    private static PostgresServer postgres;
    private static Path keys;
    private static String jwtKey;
    private static Path root;
    private static Path logs;

    @BeforeAll
    static void start() {
        root = ProjectRoot.find();
        logs = root.resolve("target/stack-logs/startup-validation");
        postgres = PostgresServer.start(0, null);
        postgres.createDatabase("orders", "orders", "orders-pw");
        postgres.createDatabase("stock", "stock", "stock-pw");
        try {
            keys = Files.createTempDirectory("validation-jwt-");
            jwtKey = TokenIssuer.create(keys)
                    .publicKeyFile().toUri().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
        if (keys != null) {
            Folders.deleteQuietly(keys);
        }
    }

    private static Map<String, String> valid(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("INTERNAL_SECRET", "validation-internal-secret");
        switch (service) {
            case "api" -> {
                env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl("orders"));
                env.put("QUARKUS_DATASOURCE_USERNAME", "orders");
                env.put("QUARKUS_DATASOURCE_PASSWORD", "orders-pw");
                env.put("SESSION_TOKEN_KEYS", "v1=validation-session-key-1");
                env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", jwtKey);
            }
            case "worker" -> {
                env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl("stock"));
                env.put("QUARKUS_DATASOURCE_USERNAME", "stock");
                env.put("QUARKUS_DATASOURCE_PASSWORD", "stock-pw");
            }
            default -> {
                env.put("GATEWAY_NODES", "redis://127.0.0.1:1,redis://127.0.0.1:2,redis://127.0.0.1:3");
                env.put("GATEWAY_ID", "validation");
                env.put("GATEWAY_CONTEXT_KEYS", "v1=validation-context-key");
            }
        }
        return env;
    }

    /** One invalid setting: the service, what changes (null: unset), and what the log must name. */
    private record Case(String service, String variable, String value, String logged) {
    }

    /**
     * Settings of README's table that start-up cannot judge, and why: free-form names and endpoints a
     * deployment chooses (a wrong one shows at first use, against the peer).
     */
    private static final Map<String, String> FREE_FORM = Map.of(
            "QUARKUS_DATASOURCE_USERNAME", "any role name",
            "MP_JWT_VERIFY_ISSUER", "any issuer string the identity provider uses",
            "MP_JWT_VERIFY_AUDIENCES", "any audience string",
            "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "only used while traces are exported");

    /** One refusal per rule: every setting of README's table has at least one case or is free-form. */
    static final List<Case> CASES = List.of(
            new Case("quorum-gateway", "GATEWAY_W", "5", "GATEWAY_W"),
            new Case("quorum-gateway", "GATEWAY_R", "0", "GATEWAY_R"),
            new Case("quorum-gateway", "GATEWAY_NODES", "redis://127.0.0.1:1,redis://127.0.0.1:1,redis://127.0.0.1:3",
                    "GATEWAY_NODES"),
            new Case("quorum-gateway", "GATEWAY_NODES", "redis://127.0.0.1:1,http://x:2,redis://127.0.0.1:3", "GATEWAY_NODES"),
            new Case("quorum-gateway", "GATEWAY_ID", "two words", "GATEWAY_ID"),
            new Case("quorum-gateway", "GATEWAY_MERKLE_LEAVES", "1000", "GATEWAY_MERKLE_LEAVES"),
            new Case("quorum-gateway", "GATEWAY_CONTEXT_KEYS", null, "GATEWAY_CONTEXT_KEYS"),
            new Case("quorum-gateway", "GATEWAY_CONTEXT_KEYS", "k=short", "GATEWAY_CONTEXT_KEYS"),
            new Case("quorum-gateway", "INTERNAL_SECRET", null, "INTERNAL_SECRET"),
            new Case("quorum-gateway", "GATEWAY_MAX_VALUE_BYTES", "0", "GATEWAY_MAX_VALUE_BYTES"),
            new Case("quorum-gateway", "GATEWAY_MAX_KEY_LENGTH", "0", "GATEWAY_MAX_KEY_LENGTH"),
            new Case("quorum-gateway", "GATEWAY_MAX_BATCH_KEYS", "64", "GATEWAY_MAX_BATCH_KEYS"),
            new Case("quorum-gateway", "GATEWAY_MAX_BATCH_BYTES", "1048576", "GATEWAY_MAX_BATCH_BYTES"),
            new Case("quorum-gateway", "GATEWAY_MAX_VALUE_BYTES", "4194304", "GATEWAY_MAX_BATCH_BYTES"),
            new Case("quorum-gateway", "GATEWAY_MAX_SIBLINGS", "0", "GATEWAY_MAX_SIBLINGS"),
            new Case("quorum-gateway", "GATEWAY_MAX_KEY_BYTES", "10", "GATEWAY_MAX_KEY_BYTES"),
            new Case("quorum-gateway", "GATEWAY_MAX_READ_REPAIRS", "-1", "GATEWAY_MAX_READ_REPAIRS"),
            new Case("quorum-gateway", "GATEWAY_SPECULATIVE_READ_AFTER", "-5ms", "GATEWAY_SPECULATIVE_READ_AFTER"),
            new Case("quorum-gateway", "GATEWAY_NODE_TIMEOUT", "0s", "GATEWAY_NODE_TIMEOUT"),
            new Case("quorum-gateway", "GATEWAY_BREAKER_DELAY", "0s", "GATEWAY_BREAKER_DELAY"),
            new Case("quorum-gateway", "GATEWAY_NODE_CONNECTIONS", "0", "GATEWAY_NODE_CONNECTIONS"),
            new Case("quorum-gateway", "GATEWAY_HINTS_REPLAY_EVERY", "0s", "GATEWAY_HINTS_REPLAY_EVERY"),
            new Case("quorum-gateway", "GATEWAY_ANTI_ENTROPY_EVERY", "0s", "GATEWAY_ANTI_ENTROPY_EVERY"),
            new Case("quorum-gateway", "GATEWAY_REPAIR_PASS_BUDGET", "0s", "GATEWAY_REPAIR_PASS_BUDGET"),
            new Case("quorum-gateway", "GATEWAY_TOMBSTONE_GRACE", "1s", "GATEWAY_TOMBSTONE_GRACE"),
            new Case("quorum-gateway", "GATEWAY_UNSAFE_KEEP_ACTOR_ACROSS_RESTARTS", "maybe", "GATEWAY_UNSAFE_KEEP_ACTOR_ACROSS_RESTARTS"),
            new Case("quorum-gateway", "QUARKUS_HTTP_PORT", "eighty", "quarkus.http.port"),
            new Case("quorum-gateway", "QUARKUS_MANAGEMENT_PORT", "ninety", "quarkus.management.port"),
            new Case("quorum-gateway", "QUARKUS_HTTP_IDLE_TIMEOUT", "soon", "quarkus.http.idle-timeout"),
            new Case("quorum-gateway", "HTTP_REQUEST_DEADLINE", "20s", "HTTP_REQUEST_DEADLINE"),
            new Case("api", "OUTBOX_BACKOFF_BASE", "10s", "OUTBOX_BACKOFF_BASE"),
            new Case("api", "OUTBOX_BACKOFF_CAP", "0s", "OUTBOX_BACKOFF_CAP"),
            new Case("api", "OUTBOX_BATCH_SIZE", "0", "OUTBOX_BATCH_SIZE"),
            new Case("api", "OUTBOX_POLL_EVERY", "often", "OUTBOX_POLL_EVERY"),
            new Case("api", "OUTBOX_BATCH_MAX", "0", "OUTBOX_BATCH_MAX"),
            new Case("api", "OUTBOX_BATCH_BYTES", "100000", "OUTBOX_BATCH_BYTES"),
            new Case("api", "OUTBOX_LEASE", "0s", "OUTBOX_LEASE"),
            new Case("api", "OUTBOX_MAX_IN_FLIGHT", "0", "OUTBOX_MAX_IN_FLIGHT"),
            new Case("api", "OUTBOX_METRICS_EVERY", "never", "OUTBOX_METRICS_EVERY"),
            new Case("api", "OUTBOX_MAX_ATTEMPTS", "0", "OUTBOX_MAX_ATTEMPTS"),
            new Case("api", "OUTBOX_RETENTION", "PT1S", "OUTBOX_RETENTION"),
            new Case("api", "OUTBOX_CLEANUP_EVERY", "x", "OUTBOX_CLEANUP_EVERY"),
            new Case("api", "OUTBOX_CLEANUP_BATCH", "0", "OUTBOX_CLEANUP_BATCH"),
            new Case("api", "DATABASE_CONNECT_TIMEOUT", "0s", "DATABASE_CONNECT_TIMEOUT"),
            new Case("api", "DATABASE_QUERY_TIMEOUT", "9s", "DATABASE_QUERY_TIMEOUT"),
            new Case("api", "DATABASE_POOL_WAIT", "0s", "DATABASE_POOL_WAIT"),
            new Case("api", "DATABASE_READY_TIMEOUT", "0s", "DATABASE_READY_TIMEOUT"),
            new Case("api", "SESSION_TOKEN_KEYS", null, "SESSION_TOKEN_KEYS"),
            new Case("api", "SESSION_TOKEN_TTL", "0s", "SESSION_TOKEN_TTL"),
            new Case("api", "INTERNAL_SECRET", null, "INTERNAL_SECRET"),
            new Case("api", "INTERNAL_SECRET", "short", "INTERNAL_SECRET"),
            new Case("api", "QUARKUS_DATASOURCE_PASSWORD", null, "QUARKUS_DATASOURCE_PASSWORD"),
            new Case("api", "QUARKUS_DATASOURCE_REACTIVE_URL", "mysql://nowhere/orders", "does not support the provided URL"),
            new Case("api", "MP_JWT_VERIFY_PUBLICKEY_LOCATION", null, "MP_JWT_VERIFY_PUBLICKEY_LOCATION"),
            new Case("api", "MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/no/such/key.pem", "MP_JWT_VERIFY_PUBLICKEY_LOCATION"),
            new Case("api", "MP_JWT_VERIFY_PUBLICKEY", "not-a-key", "MP_JWT_VERIFY_PUBLICKEY"),
            new Case("api", "MP_JWT_VERIFY_CLOCK_SKEW", "-5", "MP_JWT_VERIFY_CLOCK_SKEW"),
            new Case("api", "JWT_CACHE_MAX_ENTRIES", "-1", "JWT_CACHE_MAX_ENTRIES"),
            new Case("api", "JWT_CACHE_MAX_ENTRIES", "lots", "JWT_CACHE_MAX_ENTRIES"),
            new Case("api", "JWT_CACHE_MAX_AGE", "0s", "JWT_CACHE_MAX_AGE"),
            new Case("api", "SMALLRYE_JWT_TIME_TO_LIVE", "0", "SMALLRYE_JWT_TIME_TO_LIVE"),
            new Case("api", "QUARKUS_OTEL_TRACES_SAMPLER_ARG", "often", "otel.traces.sampler.arg"),
            new Case("api", "WORKER_URL", "not a url", "WORKER_URL"),
            new Case("api", "GATEWAY_URL", "ftp://gateway", "GATEWAY_URL"),
            new Case("api", "REPLICA_LAG_MS", "-1", "REPLICA_LAG_MS"),
            new Case("api", "REPLICA_LAG_JITTER_MS", "-1", "REPLICA_LAG_JITTER_MS"),
            new Case("api", "REPLICA_LIST_MAX", "0", "REPLICA_LIST_MAX"),
            new Case("api", "REPLICA_LIST_MAX", "500", "REPLICA_LIST_MAX"),
            new Case("api", "REPLICA_READ_TIMEOUT_MS", "0", "REPLICA_READ_TIMEOUT_MS"),
            new Case("api", "REPLICA_CLIENT_TIMEOUT_MS", "0", "REPLICA_CLIENT_TIMEOUT_MS"),
            new Case("api", "REPLICA_CLIENT_RETRIES", "11", "REPLICA_CLIENT_RETRIES"),
            new Case("api", "REPLICA_BATCH_MAX", "0", "REPLICA_BATCH_MAX"),
            new Case("api", "REPLICA_CLIENT_BREAKER_DELAY_MS", "0", "REPLICA_CLIENT_BREAKER_DELAY_MS"),
            new Case("api", "REPLICA_RECONCILE_EVERY", "0s", "REPLICA_RECONCILE_EVERY"),
            new Case("api", "REPLICA_RECONCILE_BATCH", "0", "REPLICA_RECONCILE_BATCH"),
            new Case("api", "ORDERS_MAX_BACKLOG", "0", "ORDERS_MAX_BACKLOG"),
            new Case("api", "WORKER_CLIENT_TIMEOUT_MS", "0", "WORKER_CLIENT_TIMEOUT_MS"),
            new Case("api", "WORKER_CLIENT_RETRIES", "-1", "WORKER_CLIENT_RETRIES"),
            new Case("api", "WORKER_CLIENT_BREAKER_DELAY_MS", "0", "WORKER_CLIENT_BREAKER_DELAY_MS"),
            new Case("worker", "INTERNAL_SECRET", null, "INTERNAL_SECRET"),
            new Case("worker", "QUARKUS_DATASOURCE_PASSWORD", null, "QUARKUS_DATASOURCE_PASSWORD"),
            new Case("worker", "API_URL", "localhost:8080", "API_URL"),
            new Case("worker", "API_CLIENT_TIMEOUT_MS", "0", "API_CLIENT_TIMEOUT_MS"),
            new Case("worker", "API_CLIENT_RETRIES", "11", "API_CLIENT_RETRIES"),
            new Case("worker", "API_CLIENT_BREAKER_DELAY_MS", "0", "API_CLIENT_BREAKER_DELAY_MS"),
            new Case("worker", "SIM_SLOW_WORKER_MS", "-5", "SIM_SLOW_WORKER_MS"),
            new Case("worker", "DATABASE_POOL_WAIT", "8s", "DATABASE_POOL_WAIT"));

    /** Every setting README's table documents is refused at start-up when it is wrong, or is free-form (and says why). */
    @Test
    void everyDocumentedSettingHasARefusalCase() throws Exception {
        Set<String> documented = new TreeSet<>();
        PolicyCheck.documented(root.resolve("README.md")).values().forEach(documented::addAll);
        Set<String> covered = new TreeSet<>(FREE_FORM.keySet());
        CASES.forEach(c -> covered.add(c.variable()));
        assertThat(documented).as("settings of README's table without a refusal case").isSubsetOf(covered);
    }

    @Test
    void everyServiceRefusesToStartWithASettingItCannotUse() throws Exception {
        List<Case> cases = CASES;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int n = i;
            results.add(pool.submit(() -> run(c, n)));
        }
        List<String> problems = new ArrayList<>();
        for (Future<String> f : results) {
            String problem = f.get();
            if (problem != null) {
                problems.add(problem);
            }
        }
        pool.shutdown();
        assertThat(problems).isEmpty();
    }

    /** Null when the service refused to start and named the variable; otherwise what went wrong. */
    private static String run(Case c, int n) throws IOException {
        ServiceProcess p = new ServiceProcess(c.service() + "-" + n, ServiceProcess.jarOf(root, c.service()), Ports.free(), logs);
        valid(c.service()).forEach(p::env);
        if (c.variable().equals("OUTBOX_BACKOFF_BASE")) {
            // The rule broken here is a base above the cap.
            p.env("OUTBOX_BACKOFF_CAP", "1s");
        }
        p.env(c.variable(), c.value());
        int code;
        try {
            code = p.startExpectingExit(Duration.ofSeconds(90));
        } catch (IllegalStateException e) {
            return c + ": " + e.getMessage();
        }
        String log = Files.readString(p.logFile());
        if (code == 0) {
            return c + ": exited with 0";
        }
        if (!log.contains(c.logged())) {
            return c + ": the log does not name " + c.logged() + "; see " + p.logFile();
        }
        return null;
    }

    /**
     * A valid configuration starts, and every metric README lists for the service is on
     * {@code /q/metrics} right away, before any traffic (registered at zero).
     */
    @Test
    void aValidConfigurationStartsWithEveryDocumentedMetric() throws Exception {
        Map<String, List<String>> documented = documentedMetrics();
        for (String service : List.of("api", "worker", "quorum-gateway")) {
            ServiceProcess p = new ServiceProcess(service + "-valid", ServiceProcess.jarOf(root, service), Ports.free(), logs);
            valid(service).forEach(p::env);
            p.start();
            try {
                String scrape = HttpClient.newHttpClient().send(HttpRequest
                        .newBuilder(URI.create(p.managementUrl() + "/q/metrics"))
                        .header("Authorization", "Bearer validation-internal-secret").build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (String metric : documented.get(service)) {
                    assertThat(scrape.lines().anyMatch(l -> l.startsWith(metric + "{") || l.startsWith(metric + " ")
                            || l.startsWith(metric + "_"))).as(service + " exposes " + metric + " at start").isTrue();
                }
            } finally {
                p.stop();
            }
        }
    }

    /** The metric names README's observability section lists, by the service that exposes them. */
    private static Map<String, List<String>> documentedMetrics() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Observability"), readme.indexOf("## Tests"));
        Matcher m = Pattern.compile("`((outbox|inbox|replica|orders|gateway)_[a-z_]+)").matcher(section);
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("api", new ArrayList<>());
        out.put("worker", new ArrayList<>());
        out.put("quorum-gateway", new ArrayList<>());
        while (m.find()) {
            String name = m.group(1);
            switch (m.group(2)) {
                case "outbox", "inbox" -> {
                    out.get("api").add(name);
                    out.get("worker").add(name);
                }
                case "replica", "orders" -> out.get("api").add(name);
                default -> out.get("quorum-gateway").add(name);
            }
        }
        assertThat(out.values()).allSatisfy(names -> assertThat(names).isNotEmpty());
        return out;
    }
}
