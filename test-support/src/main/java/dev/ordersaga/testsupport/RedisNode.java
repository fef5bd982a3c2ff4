package dev.ordersaga.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import redis.embedded.RedisServer;

/** A real redis-server process (6.2, from Maven Central) on a fixed loopback port; can be stopped and started again. */
public final class RedisNode implements AutoCloseable {

    private final int port;
    private final Path dir;
    private RedisServer server;

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

    public synchronized RedisNode start() {
        if (server != null) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir.toAbsolutePath())
                    .setting("appendonly yes")
                    .setting("save \"\"")
                    .build();
            server.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start on " + port, e);
        }
    }

    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
