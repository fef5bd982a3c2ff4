package dev.ordersaga.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Three real redis-server processes on free loopback ports for the quorum gateway under test
 * ({@code gateway.nodes}). Tests stop and start them through {@link #node(int)}.
 */
public class RedisNodesResource implements QuarkusTestResourceLifecycleManager {

    private static final List<RedisNode> NODES = new ArrayList<>();

    public static synchronized RedisNode node(int index) {
        return NODES.get(index);
    }

    public static synchronized List<RedisNode> nodes() {
        return List.copyOf(NODES);
    }

    @Override
    public synchronized Map<String, String> start() {
        if (NODES.isEmpty()) {
            try {
                Path dir = Files.createTempDirectory("gateway-redis-");
                for (int i = 0; i < 3; i++) {
                    NODES.add(new RedisNode(Ports.free(), dir.resolve("node-" + i)).start());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    NODES.forEach(RedisNode::stop);
                    Folders.deleteQuietly(dir);
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        NODES.forEach(RedisNode::start);
        return Map.of("gateway.nodes", NODES.stream().map(RedisNode::url).collect(Collectors.joining(",")));
    }

    @Override
    public void stop() {
        // The nodes are shared by the test classes of the JVM and stop with it.
    }
}
