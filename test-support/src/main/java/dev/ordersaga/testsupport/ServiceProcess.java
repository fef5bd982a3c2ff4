package dev.ordersaga.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A packaged service ({@code <module>/target/quarkus-app/quarkus-run.jar}) run as its own JVM,
 * configured only through the environment, as Kubernetes would run it. Output goes to a log file.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Path jar;
    private final Path logDir;
    private final int port;
    private int managementPort;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> wrapper = new ArrayList<>();
    private String host = "127.0.0.1";
    private boolean fastStart = true;
    private boolean inheritEnvironment = true;
    private Process process;
    private int starts;

    public ServiceProcess(String name, Path jar, int port, Path logDir) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.logDir = logDir;
        this.managementPort = Ports.free();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
    }

    /** The runnable jar of a module of this repository. */
    public static Path jarOf(Path projectRoot, String module) {
        Path jar = projectRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package first");
        }
        return jar;
    }

    /** Sets a variable of the service's environment; null leaves it unset, even if this JVM has it. */
    public ServiceProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Whether the service's environment sets {@code key} (to a value) already. */
    public boolean sets(String key) {
        return env.get(key) != null;
    }

    /**
     * Whether the process sees this JVM's environment (the default) or only PATH, HOME, LANG and TZ
     * plus what {@link #env} sets.
     */
    public ServiceProcess inheritEnvironment(boolean inherit) {
        this.inheritEnvironment = inherit;
        return this;
    }

    /** The management interface's port (metrics), instead of a free one. */
    public ServiceProcess managementPort(int port) {
        this.managementPort = port;
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(port));
        return this;
    }

    /**
     * Whether to trade peak speed for start-up time (C1 only, the default for tests). Benchmarks turn
     * it off to run the JVM as deployed.
     */
    public ServiceProcess fastStart(boolean fastStart) {
        this.fastStart = fastStart;
        return this;
    }

    /** A command the JVM is run under, e.g. {@code ip netns exec <ns>} (it must exec the JVM). */
    public ServiceProcess wrapper(List<String> command) {
        wrapper.clear();
        wrapper.addAll(command);
        return this;
    }

    /** The address the service is reached at (default loopback). */
    public ServiceProcess host(String host) {
        this.host = host;
        return this;
    }

    public ServiceProcess jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://" + host + ":" + port;
    }

    /** The management interface (metrics), off the service port. */
    public String managementUrl() {
        return "http://" + host + ":" + env.getOrDefault("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
    }

    public Path logFile() {
        return logDir.resolve(name + "-" + starts + ".log");
    }

    /** Starts the JVM and waits until {@code /q/health/ready} answers 200. */
    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        launch();
        awaitReady(Duration.ofSeconds(60));
        return this;
    }

    /**
     * Starts the JVM for a service expected to refuse to start: returns its exit code once it exits,
     * or fails when it becomes ready instead (it is then stopped) or neither happens in time.
     */
    public synchronized int startExpectingExit(Duration timeout) {
        launch();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                    int code = process.exitValue();
                    process = null;
                    return code;
                }
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    stop();
                    throw new IllegalStateException(name + " started and reported ready; see " + logFile());
                }
            } catch (IOException e) {
                // not listening (yet)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        kill();
        throw new IllegalStateException(name + " neither exited nor became ready within " + timeout + "; see " + logFile());
    }

    private void launch() {
        starts++;
        try {
            Files.createDirectories(logDir);
            List<String> command = new ArrayList<>(wrapper);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx128m");
            command.add("-XX:+UseSerialGC");
            if (fastStart) {
                command.add("-XX:TieredStopAtLevel=1");
            }
            Path archive = jar.resolveSibling("app-cds.jsa");
            if (Files.exists(archive)) {
                // Class data sharing archive built by the Quarkus package step: faster start-up.
                command.add("-XX:SharedArchiveFile=" + archive);
            }
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(jar.toString());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(logFile().toFile());
            if (!inheritEnvironment) {
                builder.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG", "TZ"));
            }
            env.forEach((k, v) -> {
                if (v == null) {
                    builder.environment().remove(k);
                } else {
                    builder.environment().put(k, v);
                }
            });
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Stops gracefully (SIGTERM) and waits for the exit. */
    public synchronized void stop() {
        end(false);
    }

    /** Sends SIGTERM and returns at once: several services stop side by side, then {@link #stop()} waits for each. */
    public synchronized void signalStop() {
        if (process != null) {
            process.destroy();
        }
    }

    /** Kills at once (SIGKILL): no shutdown hook, no chance to finish anything in flight. */
    public synchronized void kill() {
        end(true);
    }

    /** The operating system's process id, while running. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void end(boolean force) {
        if (process == null) {
            return;
        }
        Processes.stop(process, force);
        process = null;
    }

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + logFile());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; see " + logFile());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
