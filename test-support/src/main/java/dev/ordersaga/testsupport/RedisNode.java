package dev.ordersaga.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import redis.embedded.core.ExecutableProvider;

/**
 * A real redis-server process (6.2, the binary shipped in embedded-redis from Maven Central) on a
 * fixed loopback port, with an append-only file in its own directory. It can be stopped (SIGTERM),
 * killed (SIGKILL, the append-only file kept), paused (SIGSTOP) and resumed, wiped (its data lost)
 * and started again on the same port.
 */
public final class RedisNode implements AutoCloseable {

    private static final Object EXTRACT = new Object();
    /** The append-only file of redis-server 6.2 (one file in its directory). */
    private static final String APPEND_ONLY_FILE = "appendonly.aof";
    private static File executable;

    private final int port;
    private final Path dir;
    private Process process;
    private boolean paused;

    public RedisNode(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public int port() {
        return port;
    }

    /** The node's data directory (append-only file). */
    public Path dir() {
        return dir;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    private static File executable() throws IOException {
        synchronized (EXTRACT) {
            if (executable == null) {
                executable = ExecutableProvider.newJarResourceProvider().get();
                executable.setExecutable(true);
            }
            return executable;
        }
    }

    /**
     * Starts the server (if it is not running) and waits until it answers PING. The append-only file
     * is never rewritten on its own, so a mark taken with {@link #appendOnlyFileSize} stays a place in
     * the same file.
     */
    public synchronized RedisNode start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(List.of(executable().getAbsolutePath(), "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--dir", dir.toAbsolutePath().toString(), "--appendonly", "yes",
                    "--save", "", "--auto-aof-rewrite-percentage", "0", "--protected-mode", "no", "--daemonize", "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            paused = false;
            awaitPing(Duration.ofSeconds(20));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start on " + port, e);
        }
    }

    /** Stops gracefully (SIGTERM: the append-only file is flushed). */
    public synchronized void stop() {
        end(false);
    }

    /** Kills at once (SIGKILL); the append-only file stays as the kernel has it. */
    public synchronized void kill() {
        end(true);
    }

    /**
     * The raw value of {@code key} on this node (GET, straight over RESP), or null when it has none or
     * does not answer within 5 s.
     */
    public byte[] get(String key) {
        return bulk("GET", key);
    }

    /**
     * Commands this node has executed since it started, those that Lua scripts call included (the sum
     * of {@code calls} over {@code INFO commandstats}, this INFO not yet counted); -1 when it does not answer.
     */
    public long commandsExecuted() {
        return calls(null);
    }

    /** How often this node has executed {@code command} (lower case, e.g. {@code "get"}); -1 when it does not answer. */
    public long commandsExecuted(String command) {
        return calls(command);
    }

    private long calls(String command) {
        byte[] info = bulk("INFO", "commandstats");
        if (info == null) {
            return -1;
        }
        String wanted = command == null ? "cmdstat_" : "cmdstat_" + command + ":";
        long calls = 0;
        for (String line : new String(info, StandardCharsets.UTF_8).split("\\r?\\n")) {
            int at = line.indexOf("calls=");
            if (line.startsWith(wanted) && at >= 0) {
                int end = line.indexOf(',', at);
                calls += Long.parseLong(line.substring(at + "calls=".length(), end < 0 ? line.length() : end));
            }
        }
        return calls;
    }

    /** Sends one command straight over RESP; its bulk-string reply, or null (nil, another reply, or no answer within 5 s). */
    private byte[] bulk(String... command) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (String arg : command) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder header = new StringBuilder();
            for (int c = in.read(); c != '\n' && c != -1; c = in.read()) {
                header.append((char) c);
            }
            String line = header.toString().trim();
            if (!line.startsWith("$") || line.equals("$-1")) {
                return null;
            }
            return in.readNBytes(Integer.parseInt(line.substring(1)));
        } catch (IOException e) {
            return null;
        }
    }

    /** How long the append-only file is now, in bytes (a mark for {@link #loseTailAfter}). */
    public synchronized long appendOnlyFileSize() {
        try {
            return Files.size(dir.resolve(APPEND_ONLY_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills the server and cuts its append-only file back to {@code mark} bytes: what it appended since
     * is lost, as a host crash loses the last second under {@code appendfsync everysec} (a command cut in
     * the middle is dropped by Redis on load). {@link #start()} brings it back with the shorter file.
     */
    public synchronized void loseTailAfter(long mark) {
        end(true);
        try (var file = FileChannel.open(dir.resolve(APPEND_ONLY_FILE), StandardOpenOption.WRITE)) {
            file.truncate(mark);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the node's data as it is on disk now into {@code target} (stop the node first for a consistent copy). */
    public synchronized void copyData(Path target) {
        Folders.copy(dir, target);
    }

    /**
     * Kills the server and puts back an older copy of its data ({@link #copyData}), as a restore from a
     * backup, or a crash that lost the tail of the append-only file, would: {@link #start()} brings it
     * back with that data.
     */
    public synchronized void restore(Path copy) {
        end(true);
        Folders.delete(dir);
        Folders.copy(copy, dir);
    }

    /** Kills the server and deletes its data: it comes back empty, as after a lost disk. */
    public synchronized void wipe() {
        end(true);
        Folders.delete(dir);
    }

    /** SIGSTOP: the server keeps its connections but answers nothing until {@link #resume()}. */
    public synchronized void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        if (paused) {
            signal("CONT");
            paused = false;
        }
    }

    /** The redis-server's process id (-1 when it is not running). */
    public synchronized long pid() {
        return process == null || !process.isAlive() ? -1 : process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void signal(String name) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void end(boolean force) {
        if (process == null) {
            return;
        }
        resume();
        Processes.stop(process, force);
        process = null;
    }

    private void awaitPing(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on " + port + " exited; see " + dir.resolve("redis.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[7];
                int n = in.read(buf);
                if (n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet, or still loading its append-only file
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("redis-server on " + port + " did not answer PING within " + timeout);
    }

    @Override
    public void close() {
        stop();
    }
}
