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

import dev.ordersaga.api.ApiDatabase;
import dev.ordersaga.testsupport.PostgresResource;

/**
 * Connections cannot be hoarded: thousands of sockets that sent half a request header and went
 * quiet do not keep normal requests out, and the server closes them after its idle timeout (10 s).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = ApiDatabase.NAME))
class ConnectionLimitsTest {

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
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                given().get("/q/health/ready").then().statusCode(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a normal request beside %d half-sent ones", slow)
                        .isLessThan(Duration.ofSeconds(5));
            }
            await().atMost(Duration.ofSeconds(40)).until(() -> sockets.stream().allMatch(ConnectionLimitsTest::closedByServer));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
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
