package dev.ordersaga.bench.peer;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.ordersaga.testsupport.Ports;
import dev.ordersaga.testsupport.PostgresServer;

/**
 * The peer saga as two JVMs ({@link GruelboxPeer} api and worker), each with its own database on
 * the benchmark's PostgreSQL, and the same JVM settings as the project's services.
 */
public final class PeerProcesses implements AutoCloseable {

    public final int apiPort = Ports.free();
    public final int workerPort = Ports.free();
    private final List<Process> processes = new ArrayList<>();
    public final Process api;
    public final Process worker;

    public PeerProcesses(PostgresServer postgres, Path logs) throws IOException, InterruptedException {
        postgres.createDatabase("peer_orders", "peer", "peer");
        postgres.createDatabase("peer_stock", "peer", "peer");
        worker = start("worker", workerPort, postgres.jdbcUrl("peer_stock"), "http://127.0.0.1:" + apiPort, logs);
        api = start("api", apiPort, postgres.jdbcUrl("peer_orders"), "http://127.0.0.1:" + workerPort, logs);
        awaitListening(workerPort, worker);
        awaitListening(apiPort, api);
    }

    private Process start(String role, int port, String jdbcUrl, String peerUrl, Path logs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classpath(),
                GruelboxPeer.class.getName(), role, String.valueOf(port), jdbcUrl, "peer", "peer", peerUrl);
        File log = logs.resolve("peer-" + role + ".log").toFile();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        processes.add(p);
        return p;
    }

    /** The benchmark's own class path (under exec:java, that of its class loader). */
    private static String classpath() {
        ClassLoader loader = PeerProcesses.class.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            return Stream.of(urls.getURLs()).map(PeerProcesses::file).collect(Collectors.joining(File.pathSeparator));
        }
        return System.getProperty("java.class.path");
    }

    private static String file(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (Exception e) {
            return url.getPath();
        }
    }

    private static void awaitListening(int port, Process p) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("peer process on port " + port + " ended (exit " + p.exitValue() + "); see its log");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IOException("peer process on port " + port + " did not listen within 2 minutes");
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
