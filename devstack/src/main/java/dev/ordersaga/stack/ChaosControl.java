package dev.ordersaga.stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.ordersaga.testsupport.RedisNode;
import dev.ordersaga.testsupport.TcpProxy;

/**
 * The local stack's fault control, on loopback only: {@code ./chaos} talks to it. Every path
 * between processes is a {@link TcpProxy} named like the toggles of {@code k8s/chaos/partition.sh}
 * and the lab ({@code isolate-redis-N} is the gateway's path to that node: nothing else talks to
 * it), and each Redis node can be stopped, started, wiped, paused and resumed.
 *
 * <p>{@code GET /} lists the paths and nodes with their state; {@code POST /<name>/<action>[/<arg>...]}
 * changes one. An unknown name or action is a 400 with a one-line reason.
 */
final class ChaosControl implements AutoCloseable {

    /** The longest latency (and jitter) a path takes: a minute. */
    static final long MAX_LATENCY_MS = 60_000;

    private final Map<String, TcpProxy> paths = new LinkedHashMap<>();
    private final Map<String, RedisNode> nodes = new LinkedHashMap<>();
    private final HttpServer server;

    ChaosControl(int port, Map<String, TcpProxy> stackPaths, List<RedisNode> redis) throws IOException {
        paths.putAll(stackPaths);
        for (int i = 0; i < redis.size(); i++) {
            nodes.put("redis-" + i, redis.get(i));
            if (stackPaths.containsKey("gateway-to-redis-" + i)) {
                paths.put("isolate-redis-" + i, stackPaths.get("gateway-to-redis-" + i));
            }
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chaos-control");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().replaceAll("^/+|/+$", "").split("/");
        int status = 200;
        String body;
        try {
            if (parts.length == 1 && parts[0].isEmpty()) {
                body = status();
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                throw new IllegalArgumentException("changes are POST /<name>/<action>");
            } else {
                body = apply(parts);
            }
        } catch (IllegalArgumentException e) {
            status = 400;
            body = e.getMessage() + "\n";
        } catch (RuntimeException e) {
            status = 500;
            body = "failed: " + e + "\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** Every path and node with what it does now. */
    String status() {
        StringBuilder out = new StringBuilder();
        paths.forEach((name, proxy) -> {
            if (!name.startsWith("isolate-")) {
                out.append(String.format("%-20s %s%n", name, describe(proxy)));
            }
        });
        nodes.forEach((name, node) -> out.append(String.format("%-20s %s%n", name, node.isRunning() ? "running" : "stopped")));
        return out.toString();
    }

    private String apply(String[] parts) {
        String name = parts[0];
        String action = parts.length > 1 ? parts[1] : "";
        if (nodes.containsKey(name)) {
            RedisNode node = nodes.get(name);
            switch (action) {
                case "stop" -> node.stop();
                case "start" -> node.start();
                case "wipe" -> {
                    node.wipe();
                    node.start();
                }
                case "pause" -> node.pause();
                case "resume" -> node.resume();
                default -> throw new IllegalArgumentException(name + ": actions are stop, start, wipe, pause, resume");
            }
            return name + " " + action + "\n";
        }
        TcpProxy proxy = paths.get(name);
        if (proxy == null) {
            throw new IllegalArgumentException("unknown name '" + name + "'; paths: " + String.join(" ", paths.keySet())
                    + "; nodes: " + String.join(" ", nodes.keySet()));
        }
        switch (action) {
            case "on" -> {
                arguments(parts, 0, 0);
                proxy.mode(TcpProxy.Mode.BLACKHOLE);
            }
            case "refuse" -> {
                arguments(parts, 0, 0);
                proxy.mode(TcpProxy.Mode.REFUSE);
            }
            case "off" -> {
                arguments(parts, 0, 0);
                proxy.heal();
            }
            case "latency" -> {
                arguments(parts, 1, 2);
                proxy.latency(number(parts, 2, MAX_LATENCY_MS), parts.length > 3 ? number(parts, 3, MAX_LATENCY_MS) : 0);
            }
            case "drop" -> {
                arguments(parts, 1, 1);
                proxy.drop((int) number(parts, 2, 100));
            }
            default -> throw new IllegalArgumentException(name + ": actions are on, off, refuse, latency MS [JITTER_MS], drop PERCENT");
        }
        return String.format("%-20s %s%n", name, describe(proxy));
    }

    /** What a path does now, in ./chaos's words: off (forwarding), on (cut: packets dropped) or refuse, then latency and drop. */
    static String describe(TcpProxy proxy) {
        String mode = switch (proxy.mode()) {
            case FORWARD -> "off";
            case BLACKHOLE -> "on (cut: nothing passes)";
            case REFUSE -> "refuse";
        };
        String rest = proxy.describe().replaceFirst("^\\S+", "");
        return mode + rest;
    }

    /** Refuses an action with fewer than {@code least} or more than {@code most} arguments after it. */
    private static void arguments(String[] parts, int least, int most) {
        int given = parts.length - 2;
        if (given < least || given > most) {
            throw new IllegalArgumentException(parts[0] + " " + parts[1] + ": takes " + (least == most ? least : least + " to " + most)
                    + " argument(s), got " + given);
        }
    }

    private static long number(String[] parts, int i, long max) {
        try {
            long n = Long.parseLong(parts[i]);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            // the same answer as out of range
        }
        throw new IllegalArgumentException(parts[0] + " " + parts[1] + ": needs a whole number from 0 to " + max);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
