package dev.ordersaga.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.ProjectRoot;
import dev.ordersaga.testsupport.Ports;

/**
 * The local stack as README promises it: ready with a banner, a documented variable of the calling
 * shell reaches the service README gives it to and an undocumented one reaches none, and SIGINT
 * (Ctrl-C) stops every process it started.
 */
class LocalStackIT {

    private static final Path ROOT = ProjectRoot.find();
    private Process stack;

    /** After a failure: SIGTERM first, so the stack's shutdown hook stops the servers it started. */
    @AfterEach
    void stop() throws InterruptedException {
        if (stack != null && stack.isAlive()) {
            stack.destroy();
            if (!stack.waitFor(60, TimeUnit.SECONDS)) {
                stack.descendants().forEach(ProcessHandle::destroyForcibly);
                stack.destroyForcibly();
            }
        }
    }

    @Test
    void passesOnlyDocumentedVariablesAndStopsEverythingOnSigint() throws Exception {
        int redis = Ports.free();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dproject.root=" + ROOT, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        for (String port : List.of("api.port", "worker.port", "gateway.port", "api.management.port",
                "worker.management.port", "gateway.management.port", "postgres.port", "chaos.port")) {
            command.add("-D" + port + "=" + Ports.free());
        }
        command.addAll(List.of("-Dredis.port=" + redis, "-cp", System.getProperty("java.class.path"),
                "dev.ordersaga.stack.LocalStack"));
        Path out = Files.createTempFile("local-stack", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("REPLICA_LAG_MS", "0");
        builder.environment().put("ORDERSAGA_UNDOCUMENTED", "leaked");
        stack = builder.start();

        await().atMost(Duration.ofMinutes(3)).until(() -> Files.readString(out).contains("ordersaga is running")
                || !stack.isAlive());
        String banner = Files.readString(out);
        assertThat(banner).contains("ordersaga is running").contains("from your shell: {REPLICA_LAG_MS=api}");

        List<ProcessHandle> children = stack.descendants().toList();
        List<String> environments = new ArrayList<>();
        for (ProcessHandle child : children) {
            environments.add(environment(child));
        }
        assertThat(environments).as("services started").filteredOn(e -> e.contains("QUARKUS_HTTP_PORT=")).hasSize(3);
        assertThat(environments).noneMatch(e -> e.contains("ORDERSAGA_UNDOCUMENTED"));
        assertThat(environments).filteredOn(e -> e.contains("REPLICA_LAG_MS=0")).hasSize(1);

        new ProcessBuilder("kill", "-INT", String.valueOf(stack.pid())).start().waitFor();

        await().atMost(Duration.ofMinutes(1)).until(() -> !stack.isAlive());
        assertThat(children).as("every process the stack started").noneMatch(ProcessHandle::isAlive);
        assertThat(Files.readString(out)).contains("local stack: stopping");
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
