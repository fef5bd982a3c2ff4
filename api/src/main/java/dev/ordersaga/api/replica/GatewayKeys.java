package dev.ordersaga.api.replica;

import java.nio.charset.StandardCharsets;

/**
 * Identifiers inside the read model's keys in the quorum gateway are percent-encoded
 * (every byte of its UTF-8 outside {@code A-Z a-z 0-9 - . _ ~}), so that no byte of a customer id, such
 * as {@code ;}, {@code /} or {@code %}, can change which key is meant, and two ids never share a key.
 * Plain ids (letters, digits, {@code - . _ ~}, UUIDs) are their own encoding. Pure.
 */
public final class GatewayKeys {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private GatewayKeys() {
    }

    /** {@code id} as it stands in a key. */
    public static String encode(String id) {
        StringBuilder out = new StringBuilder(id.length());
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }
}
