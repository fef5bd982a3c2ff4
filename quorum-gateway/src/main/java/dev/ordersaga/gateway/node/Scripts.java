package dev.ordersaga.gateway.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts every node runs with EVAL (Redis 6.2 and 7 both support it). */
final class Scripts {

    /** Merges versions into a key or hash field: see {@code lua/merge.lua}. */
    static final String MERGE = load("lua/merge.lua");
    /** Deletes a key or hash field only if it holds an expected value. */
    static final String DELETE_IF_EQUAL = load("lua/delete-if-equal.lua");
    /** SHA-1 of {@link #MERGE}, for EVALSHA. */
    static final String MERGE_SHA = sha1(MERGE);
    /** SHA-1 of {@link #DELETE_IF_EQUAL}, for EVALSHA. */
    static final String DELETE_IF_EQUAL_SHA = sha1(DELETE_IF_EQUAL);

    private Scripts() {
    }

    private static String sha1(String script) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String load(String resource) {
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
