package dev.ordersaga.gateway.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts every node runs (EVALSHA, or EVAL once when a node does not have one yet: Redis
 * 6.2 and 7 both support it). Each is {@code lua/lib.lua} followed by its own file.
 */
enum Scripts {

    /** Accepts a new write: see {@code lua/write.lua}. */
    WRITE("write.lua"),
    /** Joins a state into a key or a hint: see {@code lua/join.lua}. */
    JOIN("join.lua"),
    /** Joins the states of several keys at once (a page of hints replayed). */
    JOIN_MANY("join-many.lua"),
    /** Drops hints (of one or more keys, for one or more nodes) that still hold given states. */
    DROP_HINTS("drop-hints.lua"),
    /** Removes a key that holds only a tombstone, if unchanged. */
    REAP("reap.lua"),
    /** Adds existing keys to the Merkle index. */
    INDEX("index.lua"),
    /** A new actor id for a node whose Redis process changed. */
    INCARNATION("incarnation.lua"),
    /** Whether a node keeps a hint of a key. */
    HAS_HINT("has-hint.lua");

    final String source;
    final String sha;

    Scripts(String file) {
        this.source = Lib.SOURCE + "\n" + load(file);
        this.sha = sha1(source);
    }

    /** The shared prelude, held apart so the constants can use it. */
    private static final class Lib {
        static final String SOURCE = load("lib.lua");
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String load(String file) {
        String resource = "lua/" + file;
        try (InputStream in = Scripts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
