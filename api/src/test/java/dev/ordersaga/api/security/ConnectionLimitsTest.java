package dev.ordersaga.api.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.management.UnixOperatingSystemMXBean;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.api.Callers;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Connections cannot be hoarded: thousands of sockets that sent half a request header and went
 * quiet do not keep normal requests out, and the server closes them after its idle timeout (10 s);
 * a body trickled in slower than that is cut off at the request deadline.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class ConnectionLimitsTest {

    private static final RestAssuredConfig ANSWER_WITHIN_A_MINUTE = RestAssuredConfig.config()
            .httpClient(HttpClientConfig.httpClientConfig().setParam("http.socket.timeout", 60_000)
                    .setParam("http.connection.timeout", 60_000));

    @Test
    void halfSentRequestsNeitherBlockOthersNorStayOpen() throws Exception {
        long fdLimit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        // Both ends of every socket live in this JVM: stay well inside its file descriptor limit.
        int slow = (int) Math.min(2000, (fdLimit - 600) / 2);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < slow; i++) {
                Socket s = new Socket("127.0.0.1", RestAssured.port);
                s.getOutputStream().write("GET /orders HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            // Normal requests are answered beside them (a server that waited on the slow ones would leave
            // these without an answer, and the socket timeout would fail them).
            for (int i = 0; i < 20; i++) {
                given().config(ANSWER_WITHIN_A_MINUTE).get("/q/health/ready").then().statusCode(200);
            }
            await().atMost(Duration.ofSeconds(40)).until(() -> sockets.stream().allMatch(ConnectionLimitsTest::closedByServer));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * A body sent a byte at a time, each byte inside the idle timeout, is not read forever: at
     * HTTP_REQUEST_DEADLINE the request gets a 408 problem+json and its connection is closed.
     */
    @Test
    void aBodyTrickledByteByByteIsCutOffAtTheRequestDeadlineWith408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(60_000);
            var out = s.getOutputStream();
            out.write(("POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + Callers.bearer("trickle")
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            int sent = 0;
            while (in.available() == 0 && sent < 60) {
                try {
                    out.write('{');
                    out.flush();
                    sent++;
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(1000); // the trickle's pace (well inside the 10 s idle timeout): the fault itself
            }
            int c;
            while ((c = in.read()) != -1) {
                answer.append((char) c);
            }
            assertThat(answer.toString()).startsWith("HTTP/1.1 408").contains("application/problem+json")
                    .contains("request-timeout");
            assertThat(sent).as("bytes sent before the cut").isLessThan(60);
        }
    }

    private static boolean closedByServer(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
