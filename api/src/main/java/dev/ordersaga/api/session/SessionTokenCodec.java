package dev.ordersaga.api.session;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.ordersaga.api.session.SessionTokenException.Reason;
import dev.ordersaga.http.signing.InvalidSignatureException;
import dev.ordersaga.http.signing.SigningKeys;

/**
 * Signs and verifies session tokens: {@code kid.payload.signature}, the last two base64url without
 * padding, the signature an HMAC-SHA256 of {@code kid.payload} under the key {@code kid}.
 *
 * <p>The payload is binary: format byte, expiry (seconds since the epoch, 8 bytes), flags, then the
 * customer entries (8-byte key, two varint versions) and the order entries (16-byte id, varint version).
 * With at most {@value SessionState#MAX_CUSTOMERS} customers and {@value SessionState#MAX_ORDERS}
 * orders a token is at most {@value #MAX_TOKEN_LENGTH} characters, however long the session lives.
 */
public final class SessionTokenCodec {

    private static final byte FORMAT = 1;
    private static final int MAX_PAYLOAD = 1 + 8 + 1 + 1 + SessionState.MAX_CUSTOMERS * (8 + 10 + 10) + 1
            + SessionState.MAX_ORDERS * (16 + 10);
    /** Upper bound of an encoded token, key id included. */
    public static final int MAX_TOKEN_LENGTH = SigningKeys.maxLength(MAX_PAYLOAD);

    private final SigningKeys keys;
    private final Duration ttl;

    public SessionTokenCodec(SigningKeys keys, Duration ttl) {
        this.keys = keys;
        this.ttl = ttl;
    }

    /**
     * A token for {@code state} of the session of {@code subject}, valid for the configured time from
     * {@code now}, signed with the signing key and bound to the subject: no one else can present it.
     */
    public String encode(SessionState state, Instant now, String subject) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(FORMAT);
        writeLong(out, now.plus(ttl).getEpochSecond());
        out.write(state.overflowed() ? 1 : 0);
        out.write(state.customers().size());
        state.customers().forEach((k, v) -> {
            writeLong(out, k);
            writeVarint(out, v[0]);
            writeVarint(out, v[1]);
        });
        out.write(state.orders().size());
        state.orders().forEach((id, v) -> {
            writeLong(out, id.getMostSignificantBits());
            writeLong(out, id.getLeastSignificantBits());
            writeVarint(out, v);
        });
        return keys.sign(out.toByteArray(), subject.getBytes(StandardCharsets.UTF_8));
    }

    /** The state a token of {@code subject}'s session carries; fails with the reason a token is refused. */
    public SessionState decode(String token, Instant now, String subject) {
        byte[] payload;
        try {
            payload = keys.verify(token, subject.getBytes(StandardCharsets.UTF_8), MAX_TOKEN_LENGTH);
        } catch (InvalidSignatureException e) {
            Reason reason = switch (e.reason()) {
                case MALFORMED -> Reason.MALFORMED;
                case UNKNOWN_KEY -> Reason.UNKNOWN_KEY;
                case FORGED -> Reason.FORGED;
            };
            throw new SessionTokenException(reason, "session token " + e.getMessage()
                    + (reason == Reason.FORGED ? " (or it was issued to another caller)" : ""));
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            if (in.get() != FORMAT) {
                throw new SessionTokenException(Reason.MALFORMED, "session token has an unknown format");
            }
            long expiry = in.getLong();
            if (now.getEpochSecond() >= expiry) {
                throw new SessionTokenException(Reason.EXPIRED, "session token expired at " + Instant.ofEpochSecond(expiry)
                        + "; start a new session by sending no token");
            }
            boolean overflowed = (in.get() & 1) != 0;
            int nc = in.get() & 0xff;
            checkCount(nc, SessionState.MAX_CUSTOMERS);
            Map<Long, long[]> customers = new LinkedHashMap<>();
            for (int i = 0; i < nc; i++) {
                customers.put(in.getLong(), new long[] { readVarint(in), readVarint(in) });
            }
            int no = in.get() & 0xff;
            checkCount(no, SessionState.MAX_ORDERS);
            Map<UUID, Long> orders = new LinkedHashMap<>();
            for (int i = 0; i < no; i++) {
                orders.put(new UUID(in.getLong(), in.getLong()), readVarint(in));
            }
            if (in.hasRemaining()) {
                throw new SessionTokenException(Reason.MALFORMED, "session token has trailing bytes");
            }
            return SessionState.of(orders, customers, overflowed);
        } catch (BufferUnderflowException e) {
            throw new SessionTokenException(Reason.MALFORMED, "session token payload is truncated");
        }
    }

    private static void checkCount(int n, int max) {
        if (n > max) {
            throw new SessionTokenException(Reason.MALFORMED, "session token holds more entries than allowed");
        }
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int i = 7; i >= 0; i--) {
            out.write((int) (v >>> (i * 8)));
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative version " + v);
        }
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new SessionTokenException(Reason.MALFORMED, "session token holds an oversized number");
    }
}
