package dev.ordersaga.api.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.testsupport.PostgresResource;

/** A customer sees and changes only its own orders; the caller is the subject of a valid JWT. */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class CustomerIsolationTest {

    private static final String PROBLEM = "application/problem+json";

    private static Response create(String caller, String key) {
        var r = given().header("Authorization", Callers.bearer(caller)).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}");
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        return r.post("/orders");
    }

    @Test
    void anotherCustomerNeitherSeesNorChangesAnOrder() {
        String alice = "iso-alice-" + System.nanoTime();
        String mallory = "iso-mallory-" + System.nanoTime();
        String id = create(alice, null).then().statusCode(202).body("customerId", equalTo(alice)).extract().path("id");
        given().header("Authorization", Callers.bearer(mallory)).get("/orders/" + id + "?read=primary").then()
                .statusCode(404).contentType(PROBLEM);
        given().header("Authorization", Callers.bearer(mallory)).queryParam("customerId", alice).get("/orders").then()
                .statusCode(403).contentType(PROBLEM);
        given().header("Authorization", Callers.bearer(mallory)).get("/orders?read=primary").then().statusCode(200)
                .body("size()", equalTo(0));
        for (String command : new String[] { "cancel", "pay" }) {
            given().header("Authorization", Callers.bearer(mallory)).post("/orders/" + id + "/" + command).then()
                    .statusCode(404).contentType(PROBLEM);
        }
        given().header("Authorization", Callers.bearer(alice)).get("/orders/" + id + "?read=primary").then().statusCode(200)
                .body("status", equalTo("PENDING")).body("version", equalTo(1));
        assertThat(ApiDatabase.count("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND message_type = 'ReleaseStock'", id))
                .isZero();
    }

    /** Another customer's order and an id that names none get the same 404, and a malformed id is not echoed. */
    @Test
    void anotherCustomersOrderIsA404ExactlyLikeAnUnknownOne() {
        String id = create("owner-404", null).then().statusCode(202).extract().path("id");
        String unknown = UUID.randomUUID().toString();
        for (String read : List.of("primary", "auto")) {
            Response theirs = given().header("Authorization", Callers.bearer("stranger-404")).queryParam("read", read)
                    .get("/orders/" + id);
            Response none = given().header("Authorization", Callers.bearer("stranger-404")).queryParam("read", read)
                    .get("/orders/" + unknown);
            assertThat(theirs.statusCode()).isEqualTo(404);
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(theirs.asString().replace(id, "ID").replaceAll("\"requestId\":\"[^\"]*\"", ""))
                    .as("read=%s", read)
                    .isEqualTo(none.asString().replace(unknown, "ID").replaceAll("\"requestId\":\"[^\"]*\"", ""));
        }
        given().header("Authorization", Callers.bearer("stranger-404")).get("/orders/<script>x")
                .then().statusCode(404).contentType(PROBLEM).body(not(containsString("script")));
    }

    @Test
    void anIdempotencyKeyIsTheCustomersOwn() {
        String alice = "idem-alice-" + System.nanoTime();
        String bob = "idem-bob-" + System.nanoTime();
        String first = create(alice, "shared-key").then().statusCode(202).extract().path("id");
        Response other = create(bob, "shared-key");
        other.then().statusCode(202).header("Idempotent-Replayed", "false").body("customerId", equalTo(bob))
                .body("id", not(equalTo(first)));
        assertThat(other.asString()).doesNotContain(first);
        create(alice, "shared-key").then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(first));
    }

    @Test
    void theBodyMayNotNameAnotherCustomer() {
        String alice = "body-alice-" + System.nanoTime();
        long before = ApiDatabase.writes();
        given().header("Authorization", Callers.bearer(alice)).contentType(ContentType.JSON)
                .body("{\"customerId\":\"someone-else\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(403).contentType(PROBLEM).body("type", endsWith("/customer-mismatch"));
        assertThat(ApiDatabase.writes()).isEqualTo(before);
        given().header("Authorization", Callers.bearer(alice)).contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + alice + "\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}")
                .post("/orders").then().statusCode(202);
    }

    @Test
    void anAdminReadsAnyOrderButChangesNone() {
        String alice = "adm-alice-" + System.nanoTime();
        String id = create(alice, null).then().statusCode(202).extract().path("id");
        String admin = Callers.bearer("ops-1", "orders-admin");
        given().header("Authorization", admin).get("/orders/" + id + "?read=primary").then().statusCode(200)
                .body("customerId", equalTo(alice));
        given().header("Authorization", admin).queryParam("customerId", alice).queryParam("read", "primary").get("/orders")
                .then().statusCode(200).body("size()", equalTo(1));
        given().header("Authorization", admin).post("/orders/" + id + "/cancel").then().statusCode(404);
    }

    @Test
    void noValidTokenIsA401Problem() {
        String id = create("tok-owner", null).then().statusCode(202).extract().path("id");
        String expired = "Bearer " + Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("tok-owner")
                .issuedAt(1_000_000L).expiresAt(2_000_000L).sign("test-jwt/privateKey.pem");
        String otherIssuer = "Bearer " + Jwt.issuer("https://elsewhere").audience(Callers.AUDIENCE).subject("tok-owner")
                .expiresIn(3600).sign("test-jwt/privateKey.pem");
        String otherAudience = "Bearer " + Jwt.issuer(Callers.ISSUER).audience("another-service").subject("tok-owner")
                .expiresIn(3600).sign("test-jwt/privateKey.pem");
        String bearer = Callers.bearer("tok-owner");
        String alteredPayload = bearer.substring(0, bearer.indexOf('.') + 1) + "eyJzdWIiOiJ0b2stb3duZXIifQ"
                + bearer.substring(bearer.indexOf('.', bearer.indexOf('.') + 1));
        anonymous("/orders/" + id);
        for (String auth : Set.of("Bearer", "Bearer nonsense", "Bearer test-internal-secret", expired, otherIssuer,
                otherAudience, alteredPayload, "Basic dG9rLW93bmVyOnB3")) {
            given().header("Authorization", auth).get("/orders/" + id).then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer");
        }
        long before = ApiDatabase.writes();
        given().header("Authorization", expired).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}").post("/orders").then().statusCode(401);
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    /**
     * A subject that cannot name a customer (one every store would not keep verbatim) is refused like
     * any bad token, before anything is written: empty, control characters, an unpaired surrogate
     * (which PostgreSQL would keep as '?', merging it with a subject '?x'), over 128 bytes.
     */
    @Test
    void aSubjectThatCannotNameACustomerIsA401AndWritesNothing() throws Exception {
        long before = ApiDatabase.writes();
        for (String escaped : List.of("", "a\\nb", "a\\u0000b", "a\\u007fb", "\\udc00x", "x\\udbff", "x".repeat(600))) {
            String bearer = "Bearer " + signedWithSubject(escaped);
            given().header("Authorization", bearer).contentType(ContentType.JSON)
                    .body("{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}").post("/orders")
                    .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer");
            given().header("Authorization", bearer).get("/orders").then().statusCode(401).contentType(PROBLEM);
        }
        assertThat(ApiDatabase.writes()).isEqualTo(before);
        given().header("Authorization", Callers.bearer("an-admin", "orders-admin")).queryParam("customerId", "a\u0001b")
                .get("/orders").then().statusCode(400).contentType(PROBLEM);
    }

    /** A token whose subject is {@code escapedSubject} as written in its JSON (escapes kept as escapes). */
    private static String signedWithSubject(String escapedSubject) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload("{\"iss\":\"" + Callers.ISSUER + "\",\"aud\":\"" + Callers.AUDIENCE + "\",\"sub\":\"" + escapedSubject
                + "\",\"iat\":" + now + ",\"exp\":" + (now + 600) + "}");
        jws.setKey(KeyUtils.readPrivateKey("test-jwt/privateKey.pem"));
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        return jws.getCompactSerialization();
    }

    /**
     * The token's clock is checked with a documented leeway (MP_JWT_VERIFY_CLOCK_SKEW, 60 s) and its
     * lifetime is bounded (SMALLRYE_JWT_TIME_TO_LIVE, 24 h): expired past the leeway, issued in the
     * future past it, or claiming a longer life, it is a 401.
     */
    @Test
    void aTokenExpiredIssuedInTheFutureOrTooLongLivedIsA401() {
        long now = System.currentTimeMillis() / 1000;
        String expiredPastLeeway = Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("clock")
                .issuedAt(now - 600).expiresAt(now - 90).sign("test-jwt/privateKey.pem");
        String expiredWithinLeeway = Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("clock")
                .issuedAt(now - 600).expiresAt(now - 20).sign("test-jwt/privateKey.pem");
        String issuedAnHourAhead = Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("clock")
                .issuedAt(now + 3600).expiresAt(now + 4200).sign("test-jwt/privateKey.pem");
        String hundredYears = Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("clock")
                .issuedAt(now).expiresAt(now + 100L * 365 * 86400).sign("test-jwt/privateKey.pem");
        String issuedIn1970 = Jwt.issuer(Callers.ISSUER).audience(Callers.AUDIENCE).subject("clock")
                .issuedAt(0).expiresAt(now + 600).sign("test-jwt/privateKey.pem");
        for (String token : List.of(expiredPastLeeway, issuedAnHourAhead, hundredYears, issuedIn1970)) {
            given().header("Authorization", "Bearer " + token).get("/orders").then().statusCode(401).contentType(PROBLEM)
                    .header("WWW-Authenticate", "Bearer");
        }
        given().header("Authorization", "Bearer " + expiredWithinLeeway).get("/orders").then().statusCode(200);
    }

    /** A request with no Authorization header at all (outside RestAssured, whose test filter adds one). */
    private static void anonymous(String path) {
        try {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(PROBLEM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void operationsEndpointsAreNotPublic() {
        given().header("Authorization", Callers.bearer("any")).get("/debug/versions").then().statusCode(401)
                .contentType(PROBLEM);
        given().header("Authorization", Callers.bearer("any")).get("/admin/outbox?status=dead").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(404).contentType(PROBLEM);
    }
}
