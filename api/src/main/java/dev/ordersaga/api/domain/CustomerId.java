package dev.ordersaga.api.domain;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What may name a customer: the subject of a bearer token, or the {@code customerId} an admin asks
 * for. One identity must map to exactly one customer everywhere it is stored (PostgreSQL text, keys
 * in the quorum gateway, session tokens), so only text that every store keeps verbatim is accepted:
 * 1 to {@value #MAX_BYTES} bytes of valid UTF-8 (no unpaired surrogate, which a store would replace
 * with {@code ?}), with no control character (NUL, newline, DEL, C1). Pure.
 */
public final class CustomerId {

    /** Longest customer id, in UTF-8 bytes. */
    public static final int MAX_BYTES = 128;

    private CustomerId() {
    }

    /** What is wrong with {@code id} as a customer id, or empty when it is one. */
    public static Optional<String> problem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("it is empty");
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("it is not valid Unicode (an unpaired surrogate at character " + i + ")");
            } else if (Character.isISOControl(c)) {
                return Optional.of("it holds a control character at character " + i);
            }
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("it is longer than " + MAX_BYTES + " bytes of UTF-8");
        }
        return Optional.empty();
    }
}
