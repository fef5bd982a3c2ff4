package dev.ordersaga.check;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ordersaga.check.KvHistory.Outcome;

/**
 * A client of the quorum gateway that records every operation it makes in a {@link KvHistory}.
 * A value's name is what comes before the first {@code '|'} of its bytes, so values can carry
 * padding (large values) and still be told apart.
 */
public final class KvClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String authorization;
    private final KvHistory history;
    private final Duration timeout;

    public KvClient(HttpClient http, String authorization, KvHistory history, Duration timeout) {
        this.http = http;
        this.authorization = authorization;
        this.history = history;
        this.timeout = timeout;
    }

    /** What a read showed: its status, the values' names and the context to write back with. */
    public record Read(int status, Set<String> values, String context) {
        public static final Read NONE = new Read(0, Set.of(), null);

        public boolean ok() {
            return status == 200 || status == 300 || status == 404;
        }
    }

    /** Reads a key through a gateway ({@code query} such as {@code "?r=1"}, or empty), and records it. */
    public Read read(String client, String gateway, String key, String query) {
        long invoked = System.nanoTime();
        try {
            HttpResponse<byte[]> r = http.send(request(gateway, key, query).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            long completed = System.nanoTime();
            Read read = parse(r);
            history.read(client, key, invoked, completed, read.ok() ? Outcome.OK : Outcome.UNKNOWN, read.values(),
                    "HTTP " + r.statusCode());
            return read;
        } catch (IOException | RuntimeException e) {
            history.read(client, key, invoked, System.nanoTime(), Outcome.UNKNOWN, Set.of(), e.toString());
            return Read.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Read.NONE;
        }
    }

    /**
     * Writes {@code name} (followed by {@code padding} bytes) through a gateway, with the context of
     * {@code basis} (a read of this client's, or null for a blind write), and records it.
     */
    public Outcome write(String client, String gateway, String key, String name, int padding, Read basis, String query) {
        byte[] prefix = (name + "|").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + padding];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        Arrays.fill(body, prefix.length, body.length, (byte) 'x');
        Sent sent = send(request(gateway, key, query).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)), basis);
        history.write(client, key, sent.invoked(), sent.completed(), sent.outcome(), name, sent.observed(), sent.detail());
        return sent.outcome();
    }

    /**
     * Deletes a key through a gateway with the context of {@code basis} (a read of this client's), and
     * records it as a delete named {@code tombstone} that replaces what {@code basis} showed.
     */
    public Outcome delete(String client, String gateway, String key, String tombstone, Read basis, String query) {
        Sent sent = send(request(gateway, key, query).DELETE(), basis);
        history.delete(client, key, sent.invoked(), sent.completed(), sent.outcome(), tombstone, sent.observed(), sent.detail());
        return sent.outcome();
    }

    /** A write or delete as sent: when, its outcome (204 ok, another 4xx failed, else unknown) and what it replaced. */
    private record Sent(long invoked, long completed, Outcome outcome, Set<String> observed, String detail) {
    }

    /** Sends a write or delete with the context of {@code basis} (if any). */
    private Sent send(HttpRequest.Builder b, Read basis) {
        Set<String> observed = Set.of();
        if (basis != null && basis.context() != null) {
            b.header("X-Context", basis.context());
            observed = basis.values();
        }
        long invoked = System.nanoTime();
        Outcome outcome;
        String detail;
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            int s = r.statusCode();
            outcome = s == 204 ? Outcome.OK : s >= 400 && s < 500 ? Outcome.FAILED : Outcome.UNKNOWN;
            detail = "HTTP " + s;
        } catch (IOException | RuntimeException e) {
            outcome = Outcome.UNKNOWN;
            detail = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.UNKNOWN;
            detail = "interrupted";
        }
        return new Sent(invoked, System.nanoTime(), outcome, observed, detail);
    }

    private HttpRequest.Builder request(String gateway, String key, String query) {
        return HttpRequest.newBuilder(URI.create(gateway + "/kv/" + key + (query == null ? "" : query)))
                .timeout(timeout).header("Authorization", authorization);
    }

    private static Read parse(HttpResponse<byte[]> r) {
        String context = r.headers().firstValue("X-Context").orElse(null);
        Set<String> values = new HashSet<>();
        if (r.statusCode() == 200) {
            values.add(name(r.body()));
        } else if (r.statusCode() == 300) {
            try {
                for (JsonNode s : JSON.readTree(r.body()).path("siblings")) {
                    values.add(name(Base64.getDecoder().decode(s.path("value").asText())));
                }
            } catch (IOException e) {
                return new Read(-1, Set.of(), null);
            }
        }
        return new Read(r.statusCode(), values, context);
    }

    private static String name(byte[] value) {
        String s = new String(value, 0, Math.min(value.length, 128), StandardCharsets.UTF_8);
        int bar = s.indexOf('|');
        return bar < 0 ? s : s.substring(0, bar);
    }
}
