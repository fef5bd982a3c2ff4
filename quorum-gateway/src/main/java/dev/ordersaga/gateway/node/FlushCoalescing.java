package dev.ordersaga.gateway.node;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jboss.logging.Logger;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;

/**
 * Commands pipelined across requests leave in one write: Netty's {@link FlushConsolidationHandler}
 * at the head of a node connection's channel turns the flush each command asks for into one flush at
 * the end of the event loop's current batch of work (or of the read in progress on that connection).
 * The commands the gateway sends to a node within one turn of its event loop (the reads and joins of
 * many concurrent requests) then cost one system call here and one read on the node, which answers
 * them in one write, instead of one each. Order and answers are unchanged: the bytes are the same,
 * only the moment they are handed to the socket moves, within the same turn.
 *
 * <p>The Vert.x Redis client does not expose its connection's channel, so it is reached through the
 * client's connection class; a client where that is not possible (another version) keeps working
 * without coalescing, said once in the log.
 */
@RegisterForReflection(targets = RedisStandaloneConnection.class, fields = true, methods = false)
final class FlushCoalescing {

    private static final Logger LOG = Logger.getLogger(FlushCoalescing.class);
    private static final String NAME = "node-flush-coalescing";
    /** Flushes taken together at most before one goes out anyway. */
    static final int MOST_FLUSHES = 256;
    private static final VarHandle SOCKET = socketField();
    private static volatile boolean warned;

    private FlushCoalescing() {
    }

    private static VarHandle socketField() {
        try {
            return MethodHandles.privateLookupIn(RedisStandaloneConnection.class, MethodHandles.lookup())
                    .findVarHandle(RedisStandaloneConnection.class, "netSocket", NetSocket.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.infof("commands to Redis nodes are flushed one by one: the Redis client's socket is out of reach (%s)", e);
            return null;
        }
    }

    /** Whether {@code conn}'s channel now coalesces flushes (it may already have). */
    static boolean install(RedisConnection conn) {
        if (SOCKET == null) {
            return false;
        }
        RedisConnection actual = conn instanceof PooledRedisConnection pooled ? pooled.actual() : conn;
        if (actual instanceof RedisStandaloneConnection standalone
                && SOCKET.get(standalone) instanceof NetSocketInternal socket) {
            ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
            synchronized (pipeline) {
                if (pipeline.get(NAME) == null) {
                    pipeline.addFirst(NAME, new FlushConsolidationHandler(MOST_FLUSHES, true));
                }
            }
            return true;
        }
        if (!warned) {
            warned = true;
            LOG.infof("commands to Redis nodes are flushed one by one: a connection of type %s", actual.getClass().getName());
        }
        return false;
    }
}
