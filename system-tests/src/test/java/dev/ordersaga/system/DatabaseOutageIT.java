package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.PostgresServer;
import dev.ordersaga.testsupport.ServiceProcess;
import dev.ordersaga.testsupport.TcpProxy;
import dev.ordersaga.testsupport.TokenIssuer;

/**
 * While its database is out of reach the api answers 503 problem+json with {@code Retry-After}
 * (nothing of the request is written), names no internal class, and serves again once it is back.
 */
class DatabaseOutageIT {

    private static PostgresServer postgres;
    private static TcpProxy toDatabase;
    private static ServiceProcess api;
    private static TokenIssuer tokens;
    private static Path keys;

    @BeforeAll
    static void start() throws Exception {
        Path root = ProjectRoot.find();
        postgres = PostgresServer.start(0, null);
        postgres.createDatabase("orders", "orders", "orders-pw");
        toDatabase = TcpProxy.start(Ports.free(), postgres.port());
        keys = Files.createTempDirectory("outage-jwt-");
        tokens = TokenIssuer.create(keys);
        api = new ServiceProcess("api", ServiceProcess.jarOf(root, "api"), Ports.free(),
                root.resolve("target/stack-logs/database-outage"))
                .env("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + toDatabase.port() + "/orders")
                .env("QUARKUS_DATASOURCE_USERNAME", "orders")
                .env("QUARKUS_DATASOURCE_PASSWORD", "orders-pw")
                .env("INTERNAL_SECRET", "outage-internal-secret")
                .env("SESSION_TOKEN_KEYS", "o1=outage-session-key-1")
                .env("MP_JWT_VERIFY_PUBLICKEY_LOCATION", tokens.publicKeyFile().toUri().toString())
                .env("WORKER_URL", "http://127.0.0.1:9")
                .env("GATEWAY_URL", "http://127.0.0.1:9")
                .start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] { api, toDatabase, postgres }) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing
            }
        }
        if (keys != null) {
            Folders.deleteQuietly(keys);
        }
    }

    private static Response create() {
        return given().baseUri(api.url()).header("Authorization", tokens.bearer("outage")).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}").post("/orders");
    }

    @Test
    void aDatabaseOutageIsA503WithRetryAfterAndTheApiServesAgainAfterIt() {
        create().then().statusCode(202);
        long before = postgres.number("orders", "SELECT count(*) FROM orders");
        toDatabase.mode(TcpProxy.Mode.REFUSE);
        for (String path : new String[] { "/orders", "/orders?read=primary" }) {
            Response r = path.equals("/orders") ? create()
                    : given().baseUri(api.url()).header("Authorization", tokens.bearer("outage")).get(path);
            assertThat(r.statusCode()).as(path + ": " + r.asString()).isEqualTo(503);
            assertThat(r.contentType()).isEqualTo("application/problem+json");
            assertThat(r.header("Retry-After")).isNotNull();
            assertThat(r.asString()).doesNotContain("Exception").doesNotContain("io.vertx").doesNotContain("java.");
        }
        toDatabase.heal();
        await().atMost(Duration.ofSeconds(30)).until(() -> create().statusCode() == 202);
        assertThat(postgres.number("orders", "SELECT count(*) FROM orders")).isGreaterThan(before);
    }
}
