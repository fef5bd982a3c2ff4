package dev.ordersaga.api.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Input is taken as written or refused with a 400 problem before anything is stored: no coercion,
 * no trailing content, no duplicate keys, no NUL or broken UTF-8, a Content-Type that says JSON;
 * and every error the HTTP layer itself produces is problem+json too.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class StrictInputTest {

    private static final String PROBLEM = "application/problem+json";

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1.5}]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":\"1\"}]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1e2}]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":true}]}",
            "{\"customerId\":123,\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}",
            "{\"customerId\":true,\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}",
            "{\"items\":[{\"sku\":7,\"quantity\":1}]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]} trailing",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}{\"items\":[]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}],\"items\":[{\"sku\":\"pear\",\"quantity\":1}]}",
            "{\"items\":[{\"sku\":\"apple\",\"quantity\":1,\"quantity\":2}]}",
            "{\"items\":[{\"sku\":\"ap\\u0000ple\",\"quantity\":1}]}",
    })
    void nothingIsCoercedOrGuessed(String body) {
        long before = ApiDatabase.writes();
        given().header("Authorization", Callers.bearer("strict")).contentType(ContentType.JSON).body(body).post("/orders")
                .then().statusCode(400).contentType(PROBLEM)
                .body("detail", not(containsString("java.")))
                .body("detail", not(containsString("com.fasterxml")));
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @Test
    void aBodyWithoutContentTypeIsA415() throws IOException {
        long before = ApiDatabase.writes();
        String body = "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}";
        String answer = raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + Callers.bearer("strict")
                + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 415").contains(PROBLEM);
        given().header("Authorization", Callers.bearer("strict")).contentType("text/plain").body(body).post("/orders")
                .then().statusCode(415).contentType(PROBLEM);
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/orders?customerId=a%00b", "/orders/a%00b", "/orders?customerId=%C3%28",
            "/orders/%00/cancel", "/orders?read=%ff" })
    void aNulOrBrokenEncodingInTheTargetIsA400BeforeAnyDatabaseCall(String target) throws IOException {
        String answer = raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + Callers.bearer("strict")
                + "\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains(PROBLEM);
    }

    @Test
    void aTargetTheHttpDecoderCannotParseIsRefused() throws IOException {
        assertThat(raw("GET /orders?customerId=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void aNulInAMessageFromTheWorkerIsA400() {
        String body = """
                {"messageId":"%s","type":"StockReserved","aggregateId":"a\\u0000b","seq":1,"requestId":"r",
                 "occurredAt":"2026-01-01T00:00:00Z","payload":{"orderId":"x"}}""".formatted(UUID.randomUUID());
        given().header("Authorization", "Bearer test-internal-secret").contentType(ContentType.JSON).body(body)
                .post("/internal/order-events").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void errorsOfTheHttpLayerAreProblemsToo() throws IOException {
        String bearer = Callers.bearer("strict");
        assertThat(raw("GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 404").contains(PROBLEM);
        assertThat(raw("DELETE /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 405").contains(PROBLEM);
        assertThat(raw("GET /orders HTTP/1.1\r\nHost: x\r\nAccept: text/xml\r\nAuthorization: " + bearer
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 406").contains(PROBLEM);
        assertThat(raw("GET /orders?x=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 414").contains(PROBLEM);
        assertThat(raw("GET /orders HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 431").contains(PROBLEM);
        String huge = "{\"items\":[{\"sku\":\"" + "x".repeat(70_000) + "\",\"quantity\":1}]}";
        given().header("Authorization", bearer).contentType(ContentType.JSON).body(huge).post("/orders").then()
                .statusCode(413).contentType(PROBLEM).body("type", endsWith("/body-too-large"));
        StringBuilder chunked = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            chunked.append("4000\r\n").append("x".repeat(0x4000)).append("\r\n");
        }
        assertThat(raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer + "\r\nContent-Type: application/json"
                + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + "0\r\n\r\n"))
                .startsWith("HTTP/1.1 413").contains(PROBLEM).contains("body-too-large").contains("requestId");
        String small = "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}";
        assertThat(raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer + "\r\nContent-Type: application/json"
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Integer.toHexString(small.length()) + "\r\n"
                + small + "\r\n0\r\n\r\n")).as("a chunked body within the limit is read as usual").startsWith("HTTP/1.1 202");
    }

    @ParameterizedTest
    @ValueSource(strings = { "k\u00c3\u0028", "caf\u00c3\u00a9", "tab\there" })
    void anIdempotencyKeyIsPrintableAsciiOrA400(String key) throws IOException {
        long before = ApiDatabase.writes();
        String body = "{\"items\":[{\"sku\":\"apple\",\"quantity\":1}]}";
        String answer = raw("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + Callers.bearer("strict")
                + "\r\nContent-Type: application/json\r\nIdempotency-Key: " + key + "\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 400").contains(PROBLEM);
        assertThat(ApiDatabase.writes()).isEqualTo(before);
    }

    @Test
    void theManagementInterfaceAnswersAnUnknownPathWithAProblemToo() throws IOException {
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        assertThat(raw(management, "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 404").contains(PROBLEM);
    }

    /** Sends raw bytes (so nothing is encoded or fixed on the way) and returns the whole answer. */
    private static String raw(String request) throws IOException {
        return raw(RestAssured.port, request);
    }

    private static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
