package dev.ordersaga.http.input;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import dev.ordersaga.http.Problems;
import dev.ordersaga.http.RequestIds;

/**
 * Refuses, before any resource or database sees it, a request whose target or headers cannot be
 * trusted as text: a NUL or other control character, a percent-encoding that is broken or not
 * UTF-8, a target longer than {@value #MAX_TARGET} characters (414) or headers larger than
 * {@value #MAX_HEADERS} bytes (431). Each answer is problem+json.
 *
 * <p>A body announced larger than {@code quarkus.http.limits.max-body-size} is a 413 problem
 * before it is read; a chunked body (length not announced) is read here and is a 413 problem as
 * soon as it passes the limit. The server itself accepts larger targets and headers (so that these answers
 * can be problem+json); a request its HTTP decoder cannot parse at all (a target over 64 KiB, a
 * percent-encoding it cannot decode) is refused there, with a bare status line.
 */
@ApplicationScoped
public class RequestHygiene {

    /** Longest request target (path and query) accepted. */
    public static final int MAX_TARGET = 8192;
    /** Most header bytes (names and values) accepted. */
    public static final int MAX_HEADERS = 16384;

    void install(@Observes Router router,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.limits.max-body-size",
                    defaultValue = "10240K") MemorySize maxBody) {
        long maxBodyBytes = maxBody.asLongValue();
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            // The request id first, so that every answer, these included, carries it.
            String requestId = RequestIds.acceptOrCreate(ctx.request().getHeader(RequestIds.HEADER));
            RequestIds.bind(requestId);
            ctx.response().putHeader(RequestIds.HEADER, requestId);
            String problem = problem(ctx.request());
            String length = ctx.request().getHeader("Content-Length");
            if (problem == null && length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
                // The body is not read: the connection ends with this answer (some clients wait otherwise).
                ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
                Problems.send(ctx.response(), 413, "body-too-large", "Request body too large",
                        "the request body is larger than the " + maxBodyBytes + " bytes this endpoint accepts", Map.of());
                return;
            }
            if (problem == null && length == null && ctx.request().headers().contains("Transfer-Encoding", "chunked", true)) {
                // A body of unannounced length is read here, up to the limit, so that one past it is a 413
                // problem (through the failure handler) like an announced one; the resources use what was read.
                chunked.handle(ctx);
                return;
            }
            if (problem == null) {
                ctx.next();
                return;
            }
            int status = problem.startsWith("414") ? 414 : problem.startsWith("431") ? 431 : 400;
            Problems.send(ctx.response(), status, status == 400 ? "invalid-request" : "http-" + status,
                    status == 414 ? "URI too long" : status == 431 ? "Request header fields too large" : "Bad request",
                    problem.substring(4), Map.of());
        });
    }

    /** What is wrong with a request's target and headers ({@code "NNN detail"}), or null. */
    static String problem(HttpServerRequest request) {
        String uri = request.uri();
        if (uri.length() > MAX_TARGET) {
            return "414 the request target is longer than " + MAX_TARGET + " characters";
        }
        String target = textProblem(uri);
        if (target != null) {
            return "400 the request target " + target;
        }
        int headerBytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            headerBytes += h.getKey().length() + h.getValue().length() + 4;
            if (hasControl(h.getValue())) {
                return "400 header " + printable(h.getKey()) + " holds a control character";
            }
        }
        if (headerBytes > MAX_HEADERS) {
            return "431 the request headers are larger than " + MAX_HEADERS + " bytes";
        }
        return null;
    }

    /** Why a raw (still percent-encoded) target is not clean text, or null. */
    static String textProblem(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) < 0x20 || raw.charAt(i) == 0x7f) {
                return "holds a control character";
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    return "holds a broken percent-encoding";
                }
                int b = Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16);
                if (b < 0x20 || b == 0x7f) {
                    return "holds an encoded control character (such as %00)";
                }
                bytes.write(b);
                i += 2;
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= raw.length() || !Character.isLowSurrogate(raw.charAt(i + 1))) {
                    return "is not valid UTF-8";
                }
                bytes.writeBytes(raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
            return null;
        } catch (CharacterCodingException e) {
            return "is not valid UTF-8";
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String printable(String s) {
        return s.replaceAll("[^A-Za-z0-9_-]", "?");
    }
}
