package dev.ordersaga.api.session;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.http.signing.SigningKeys;

/**
 * Reads the {@value #HEADER} header of a request into a {@link SessionState} and writes the
 * advanced state back as a new token. No token starts a fresh session; a bad one is a 400 that says
 * what is wrong with it.
 */
@ApplicationScoped
public class SessionTokens {

    public static final String HEADER = "X-Session-Token";

    private final SessionTokenCodec codec;
    private final Clock clock;

    public SessionTokens(SessionConfig config) {
        this.codec = new SessionTokenCodec(SigningKeys.parse("SESSION_TOKEN_KEYS", config.tokenKeys().orElse(null)),
                config.tokenTtl());
        this.clock = Clock.systemUTC();
    }

    /** The session a request of {@code subject} carries; fresh when it carries none. */
    public SessionState read(String header, String subject) {
        if (header == null || header.isBlank()) {
            return SessionState.fresh();
        }
        try {
            return codec.decode(header.trim(), clock.instant(), subject);
        } catch (SessionTokenException e) {
            throw new ProblemException(400, e.reason().type, e.reason().title, e.getMessage());
        }
    }

    /** The token to return to {@code subject} for {@code state}. */
    public String write(SessionState state, String subject) {
        return codec.encode(state, clock.instant(), subject);
    }
}
