package dev.ordersaga.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordersaga.testsupport.TcpProxy;

/** {@code ./chaos} against a control of its own: names, actions, exit codes, and what the proxy then does. */
class ChaosControlTest {

    private ServerSocket upstream;
    private Thread echo;
    private TcpProxy proxy;
    private ChaosControl control;

    @BeforeEach
    void start() throws IOException {
        upstream = new ServerSocket(0);
        echo = new Thread(() -> {
            while (!upstream.isClosed()) {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write(s.getInputStream().read());
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        echo.setDaemon(true);
        echo.start();
        proxy = TcpProxy.start(0, upstream.getLocalPort());
        control = new ChaosControl(0, Map.of("api-to-worker", proxy), List.of());
    }

    @AfterEach
    void stop() throws IOException {
        control.close();
        proxy.close();
        upstream.close();
    }

    @Test
    void onCutsThePathOffHealsItAndStatusSaysSo() throws Exception {
        assertThat(echoThroughProxy()).isTrue();

        assertThat(chaos("api-to-worker", "on")).isEqualTo(new Result(0, "api-to-worker        on (cut: nothing passes)\n"));
        assertThat(echoThroughProxy()).isFalse();
        assertThat(chaos("status").out()).contains("api-to-worker        on (cut: nothing passes)");

        assertThat(chaos("api-to-worker", "off").code()).isZero();
        assertThat(echoThroughProxy()).isTrue();
        assertThat(chaos("list").out()).contains("api-to-worker        off");
    }

    @Test
    void latencyAndDropAreShownAndRemovedByOff() throws Exception {
        assertThat(chaos("api-to-worker", "latency", "50", "20").out()).contains("latency=50+20ms");
        assertThat(echoThroughProxy()).as("a 50 ms delay still answers").isTrue();
        assertThat(chaos("api-to-worker", "drop", "100").out()).contains("drop=100%");
        assertThat(echoThroughProxy()).as("every new connection dropped").isFalse();

        assertThat(chaos("api-to-worker", "off").out()).isEqualTo("api-to-worker        off\n");
        assertThat(echoThroughProxy()).isTrue();
    }

    @Test
    void unknownNamesActionsAndValuesExitTwoAndChangeNothing() throws Exception {
        Result typo = chaos("api-to-wrker", "on");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.out()).contains("unknown name 'api-to-wrker'").contains("api-to-worker");
        assertThat(chaos("api-to-worker", "sideways").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "drop", "101").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "drop", "4294967346").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "latency", "-5").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "latency", "soon").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "latency", "99999999999").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "latency", "10", "20", "30").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "on", "extra").code()).isEqualTo(2);
        assertThat(chaos("api-to-worker", "off", "extra").code()).isEqualTo(2);

        assertThat(chaos("status").out()).isEqualTo("api-to-worker        off\n");
    }

    @Test
    void withoutARunningStackItExitsOne() throws Exception {
        int port = control.port();
        control.close();

        Result result = run(port, "status");

        assertThat(result.code()).isEqualTo(1);
    }

    /** Whether a byte sent through the proxy comes back; a cut path is given a second to show it is cut. */
    private boolean echoThroughProxy() throws IOException {
        boolean expectCut = !proxy.describe().equals("forward") && !proxy.describe().startsWith("forward latency");
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(expectCut ? 1000 : 30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write('x');
            out.flush();
            return in.read() == 'x';
        } catch (IOException e) {
            return false;
        }
    }

    record Result(int code, String out) {
    }

    private Result chaos(String... args) throws Exception {
        return run(control.port(), args);
    }

    private static Result run(int port, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ProjectRoot.find().resolve("chaos").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("CHAOS_PORT", String.valueOf(port));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out);
    }
}
