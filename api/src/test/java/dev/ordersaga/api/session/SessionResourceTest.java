package dev.ordersaga.api.session;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.http.signing.SigningKeys;
import dev.ordersaga.testsupport.PostgresResource;

/** Session tokens over HTTP, with the replica unreachable (the test profile points GATEWAY_URL at a closed port). */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class SessionResourceTest {

    @org.junit.jupiter.api.BeforeAll
    static void actAsTheCustomersOfTheRequests() {
        Callers.actAsOwners();
    }

    private static final String TOKEN = SessionTokens.HEADER;

    private static Response create(String customer, String token) {
        var request = given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}");
        if (token != null) {
            request.header(TOKEN, token);
        }
        return request.post("/orders");
    }

    @Test
    void everyWriteAndReadReturnsATokenAndAutoFallsBackToThePrimaryWhenTheReplicaIsUnreachable() {
        Response created = create("s-fallback", null);
        created.then().statusCode(202).header("X-Served-By", "primary");
        String token = created.header(TOKEN);
        assertThat(token).isNotBlank().hasSizeLessThan(1024);
        String id = created.path("id");

        Response read = given().header(TOKEN, token).get("/orders/" + id);
        read.then().statusCode(200)
                .header("X-Served-By", "primary")
                .header("X-Read-Fallback", "replica-unavailable")
                .body("id", equalTo(id));
        assertThat(read.header(TOKEN)).isNotBlank();

        given().header(TOKEN, read.header(TOKEN)).get("/orders?customerId=s-fallback").then().statusCode(200)
                .header("X-Served-By", "primary")
                .header("X-Read-Fallback", "replica-unavailable")
                .body("[0].id", equalTo(id));

        given().get("/orders/" + id + "?read=primary").then().statusCode(200)
                .header("X-Served-By", "primary")
                .header(TOKEN, Matchers.notNullValue());

        given().get("/orders/" + id + "?read=replica").then().statusCode(503)
                .contentType("application/problem+json")
                .body("type", containsString("replica-unavailable"));

        Response paid = given().header(TOKEN, token).post("/orders/" + id + "/cancel");
        paid.then().statusCode(200).header("X-Served-By", "primary");
        assertThat(paid.header(TOKEN)).isNotEqualTo(token);
    }

    @Test
    void debugVersionsShowsHowFarTheReplicaIsBehind() {
        String id = create("s-debug", null).path("id");
        given().get("/debug/versions").then().statusCode(401).contentType("application/problem+json");
        Response r = given().header("Authorization", "Bearer test-internal-secret")
                .get("/debug/versions?orderId=" + id + "&customerId=s-debug");
        r.then().statusCode(200)
                .body("order.primaryVersion", equalTo(1))
                .body("order.replicaError", Matchers.notNullValue())
                .body("customer.primaryVersion", equalTo(1));
        long primary = ((Number) r.path("primaryVersion")).longValue();
        long replica = ((Number) r.path("replicaVersion")).longValue();
        long behind = ((Number) r.path("behind")).longValue();
        assertThat(primary).isGreaterThanOrEqualTo(1);
        assertThat(behind).as("the replica is unreachable in this test").isGreaterThanOrEqualTo(1);
        assertThat(replica).isEqualTo(primary - behind);
        given().header("Authorization", "Bearer test-internal-secret").get("/debug/versions?orderId=nope").then()
                .statusCode(400);
    }

    @Test
    void consistencyIsAnAliasOfRead() {
        String id = create("s-alias", null).path("id");
        given().get("/orders/" + id + "?consistency=primary").then().statusCode(200).header("X-Served-By", "primary");
        given().get("/orders/" + id + "?read=sometimes").then().statusCode(400)
                .body("type", containsString("invalid-read"));
        given().get("/orders/" + id + "?read=primary&consistency=replica").then().statusCode(400);
    }

    @ParameterizedTest
    @CsvSource({ "forged, session-token-forged", "truncated, session-token-malformed",
            "garbage, session-token-malformed", "unknown-key, session-token-unknown-key",
            "expired, session-token-expired" })
    void badTokensAreRefusedWithAProblemSayingWhy(String kind, String type) {
        String good = create("s-bad-" + kind, null).header(TOKEN);
        given().header(TOKEN, bad(kind, good, "s-bad-" + kind)).get("/orders?customerId=s-bad-" + kind).then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", containsString(type))
                .body("detail", Matchers.notNullValue());
        // a refused token writes nothing
        String writer = "s-bad-write-" + kind;
        String otherGood = create(writer, null).header(TOKEN);
        create(writer, bad(kind, otherGood, writer)).then().statusCode(400).body("type", containsString(type));
        given().get("/orders?customerId=" + writer + "&read=primary").then().statusCode(200)
                .body("size()", equalTo(1));
    }

    /** A token of {@code subject}'s session that is wrong in the way {@code kind} says. */
    private static String bad(String kind, String good, String subject) {
        return switch (kind) {
            case "forged" -> forge(good);
            case "truncated" -> good.substring(0, good.length() - 3);
            case "garbage" -> "not a token";
            case "unknown-key" -> new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", "zz=test-session-token-secret-1"),
                    Duration.ofHours(1)).encode(SessionState.fresh(), Instant.now(), subject);
            case "expired" -> new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", "t0=test-session-token-secret-0"),
                    Duration.ofHours(1)).encode(SessionState.fresh(), Instant.now().minusSeconds(7200), subject);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    void aSessionTokenOfAnotherCallerIsRefused() {
        String alices = create("s-alice", null).header(TOKEN);
        given().header(TOKEN, alices).header("Authorization", Callers.bearer("s-mallory"))
                .get("/orders").then().statusCode(400).body("type", containsString("session-token-forged"));
    }

    @Test
    void aTokenSignedWithTheSecondKeyIsStillAccepted() {
        String oldKeyToken = new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", "t0=test-session-token-secret-0"),
                Duration.ofHours(1)).encode(SessionState.fresh().sawCustomer("s-rotate", 0), Instant.now(), "s-rotate");
        Response r = given().header(TOKEN, oldKeyToken).get("/orders?customerId=s-rotate");
        r.then().statusCode(200);
        assertThat(r.header(TOKEN)).startsWith("t1.");
    }

    private static String forge(String token) {
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        payload[payload.length - 1] ^= 0x01;
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "." + parts[2];
    }
}
