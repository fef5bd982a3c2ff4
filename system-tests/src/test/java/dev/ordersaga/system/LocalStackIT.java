package dev.ordersaga.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.response.Response;

import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Folders;
import dev.ordersaga.testsupport.Ports;

/**
 * The local stack as README promises it, started as a user would with every port moved: it listens
 * on loopback only, README's "Try it" block and walk-through A run as written through the variables
 * of {@code local-stack.env}, a documented variable of the calling shell reaches the service README
 * gives it to (an undocumented one none, and one the stack sets itself is ignored), and SIGINT
 * (Ctrl-C) stops every process it started and leaves nothing of its own in the temporary directory.
 */
class LocalStackIT {

    private static final Path ROOT = ProjectRoot.find();
    private static final Path TEMP = Path.of(System.getProperty("java.io.tmpdir"));
    private Process stack;
    private Path work;

    /** After a failure: SIGTERM first, so the stack's shutdown hook stops the servers it started. */
    @AfterEach
    void stop() throws InterruptedException {
        if (stack != null && stack.isAlive()) {
            stack.destroy();
            if (!stack.waitFor(2, TimeUnit.MINUTES)) {
                stack.descendants().forEach(ProcessHandle::destroyForcibly);
                stack.destroyForcibly();
            }
        }
        if (work != null) {
            Folders.deleteQuietly(work);
        }
    }

    @Test
    void everyPortMovesReadmeRunsOnLoopbackAndSigintLeavesNothing() throws Exception {
        Set<String> tempBefore = entries(TEMP);
        work = Files.createDirectories(ROOT.resolve("target/local-stack-it"));
        Path env = work.resolve("local-stack.env");
        Map<String, Integer> ports = new HashMap<>();
        for (String port : List.of("api.port", "worker.port", "gateway.port", "api.management.port",
                "worker.management.port", "gateway.management.port", "postgres.port", "chaos.port")) {
            ports.put(port, Ports.free());
        }
        ports.put("redis.port", freeBlock(3));
        ports.put("proxy.port", freeBlock(8));
        // as run-local.sh does: a build started in the background (CI) hands its processes SIGINT ignored
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dproject.root=" + ROOT, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dstack.logs=" + work.resolve("logs"), "-Dstack.env=" + env));
        ports.forEach((property, port) -> command.add("-D" + property + "=" + port));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ordersaga.stack.LocalStack"));
        // kept after the test (target/stack-logs), so that a failure can be read
        Path out = Files.createDirectories(ROOT.resolve("target/stack-logs")).resolve("local-stack-it.out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("REPLICA_LAG_MS", "0");
        builder.environment().put("ORDERSAGA_UNDOCUMENTED", "leaked");
        builder.environment().put("QUARKUS_HTTP_PORT", "1");
        builder.environment().put("INTERNAL_SECRET", "a-secret-from-the-users-shell");
        stack = builder.start();

        await().atMost(Duration.ofMinutes(4)).until(() -> Files.readString(out).contains("ordersaga is running")
                || !stack.isAlive());
        String banner = Files.readString(out);
        assertThat(banner).contains("ordersaga is running").contains("from your shell: {REPLICA_LAG_MS=api}")
                .contains("ignored from your shell (the stack sets them): [INTERNAL_SECRET, QUARKUS_HTTP_PORT]");

        List<ProcessHandle> children = stack.descendants().toList();
        List<String> environments = new ArrayList<>();
        for (ProcessHandle child : children) {
            environments.add(environment(child));
        }
        assertThat(environments).as("services started").filteredOn(e -> e.contains("QUARKUS_HTTP_PORT=")).hasSize(3);
        assertThat(environments).noneMatch(e -> e.contains("ORDERSAGA_UNDOCUMENTED"));
        assertThat(environments).noneMatch(e -> e.contains("a-secret-from-the-users-shell"));
        assertThat(environments).filteredOn(e -> e.contains("REPLICA_LAG_MS=0")).hasSize(1);
        for (var port : ports.entrySet()) {
            int count = port.getKey().equals("redis.port") ? 3 : port.getKey().equals("proxy.port") ? 8 : 1;
            for (int i = 0; i < count; i++) {
                assertThat(listeners(port.getValue() + i)).as("%s%s listens on", port.getKey(), i == 0 ? "" : " + " + i)
                        .isNotEmpty().allMatch(address -> address.equals("127.0.0.1"));
            }
        }

        Map<String, String> vars = variables(env);
        String tryIt = readmeBlock("## Try it").replace("target/local-stack.env", env.toString());
        String tried = bash(tryIt);
        assertThat(tried).contains("\"available\":100");
        Response cancelled = given().header("Authorization", vars.get("C1").replace("Authorization: ", ""))
                .queryParam("read", "primary").get(vars.get("API") + "/orders");
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(cancelled.jsonPath().getList("status", String.class)).containsExactly("CANCELLED");
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(given()
                .header("Authorization", vars.get("S").replace("Authorization: ", "")).get(vars.get("WORKER") + "/stock/apple")
                .jsonPath().getInt("reserved")).isZero());

        String walkThrough = readmeBlock("**A. api → worker cut").replace(". target/local-stack.env", ". " + env);
        String cut = bash(". " + env + "\n" + walkThrough);
        assertThat(cut).contains("\"status\":\"PENDING\"").contains("api-to-worker        off");
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(given()
                .header("Authorization", vars.get("C1").replace("Authorization: ", "")).queryParam("read", "primary")
                .get(vars.get("API") + "/orders").jsonPath().getList("status", String.class)).contains("CONFIRMED"));

        new ProcessBuilder("kill", "-INT", String.valueOf(stack.pid())).start().waitFor();

        await().atMost(Duration.ofMinutes(2)).until(() -> !stack.isAlive());
        assertThat(children).as("every process the stack started").noneMatch(ProcessHandle::isAlive);
        assertThat(Files.readString(out)).contains("local stack: stopping").contains("local stack: stopped");
        assertThat(env).as("the stack's variables, removed with it").doesNotExist();
        Set<String> left = entries(TEMP);
        left.removeAll(tempBefore);
        assertThat(left).as("what the stack left in " + TEMP).isEmpty();
    }

    /** Runs a script in bash from the project root (where {@code ./chaos} is), with CHAOS_PORT from the env file. */
    private static String bash(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("script finished: %s", output).isTrue();
        assertThat(p.exitValue()).as("exit of:%n%s%noutput:%n%s", script, output).isZero();
        return output;
    }

    /** The first code block after the README line that starts with {@code heading}. */
    private static String readmeBlock(String heading) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int at = readme.indexOf("\n" + heading);
        assertThat(at).as("README has %s", heading).isPositive();
        int open = readme.indexOf("```\n", at);
        int close = readme.indexOf("\n```", open + 4);
        return readme.substring(open + 4, close) + "\n";
    }

    private static Map<String, String> variables(Path env) throws IOException {
        Map<String, String> vars = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^(?:export )?([A-Z0-9_]+)='?([^'\\n]*)'?$").matcher(Files.readString(env));
        while (m.find()) {
            vars.put(m.group(1), m.group(2));
        }
        return vars;
    }

    /** The addresses a TCP port is listened on, from /proc/net/tcp and tcp6 (IPv4 in dotted form). */
    private static List<String> listeners(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[3].equals("0A")) {
                    continue;
                }
                String[] local = f[1].split(":");
                if (Integer.parseInt(local[1], 16) == port) {
                    addresses.add(address(local[0]));
                }
            }
        }
        return addresses;
    }

    private static String address(String hex) {
        if (hex.length() == 8) {
            long a = Long.parseLong(hex, 16);
            return (a & 0xff) + "." + (a >> 8 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 24 & 0xff);
        }
        return hex.equals("00000000000000000000000000000000") ? "::" : hex.equals("00000000000000000000000001000000") ? "::1"
                : hex.startsWith("0000000000000000FFFF0000") ? address(hex.substring(24)) : hex;
    }

    /** The first of {@code n} consecutive free ports. */
    private static int freeBlock(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = Ports.free();
            boolean free = true;
            for (int i = 1; i < n && free; i++) {
                try (ServerSocket s = new ServerSocket(first + i)) {
                    s.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no " + n + " consecutive free ports");
    }

    private static Set<String> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return new HashSet<>(list.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** A process's environment as NUL-separated NAME=value pairs ("" when it is already gone). */
    private static String environment(ProcessHandle process) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "environ")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
