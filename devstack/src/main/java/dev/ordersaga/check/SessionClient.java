package dev.ordersaga.check;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.ordersaga.check.SessionHistory.Kind;
import dev.ordersaga.check.SessionHistory.Op;
import dev.ordersaga.check.SessionHistory.Seen;

/**
 * One client session against the api: it sends back the {@code X-Session-Token} of each response
 * with its next request, and records every operation in a {@link SessionHistory}.
 */
public final class SessionClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int id;
    private final String api;
    private final SessionHistory history;
    private final String customer;
    private final String authorization;
    private String token;

    /**
     * A session of {@code customer}, whose requests carry {@code authorization} (its bearer JWT):
     * a customer may have several sessions at once (several devices), each with its own token.
     */
    public SessionClient(int id, String api, SessionHistory history, String customer, String authorization) {
        this.id = id;
        this.api = api;
        this.history = history;
        this.customer = customer;
        this.authorization = authorization;
    }

    public String customer() {
        return customer;
    }

    /** What one call returned. */
    public record Result(int status, JsonObject order, JsonArray list, String servedBy, String fallback, String body) {
        public long version() {
            return order == null ? -1 : order.getLong("version");
        }
    }

    public String token() {
        return token;
    }

    /** Creates an order of this session's customer. */
    public Result create(String sku, int quantity) {
        String body = new JsonObject().put("customerId", customer)
                .put("items", new JsonArray().add(new JsonObject().put("sku", sku).put("quantity", quantity))).encode();
        return write("POST", "/orders", body, "create");
    }

    public Result pay(String orderId) {
        return write("POST", "/orders/" + orderId + "/pay", null, "pay");
    }

    public Result cancel(String orderId) {
        return write("POST", "/orders/" + orderId + "/cancel", null, "cancel");
    }

    public Result read(String orderId, String read) {
        long start = System.nanoTime();
        Result r = call("GET", "/orders/" + orderId + "?read=" + read, null);
        List<Seen> shown = r.status == 200 ? List.of(seen(r.order)) : List.of();
        history.record(new Op(id, start, System.nanoTime(), Kind.READ, read, orderId, r.status == 200 || r.status == 404,
                shown, r.servedBy, r.fallback));
        return r;
    }

    /** Lists this session's customer's orders. */
    public Result list(String read, int limit) {
        String customerId = customer;
        long start = System.nanoTime();
        Result r = call("GET", "/orders?customerId=" + URLEncoder.encode(customerId, StandardCharsets.UTF_8) + "&limit=" + limit
                + "&read=" + read, null);
        List<Seen> shown = new ArrayList<>();
        if (r.status == 200) {
            for (int i = 0; i < r.list.size(); i++) {
                shown.add(seen(r.list.getJsonObject(i)));
            }
        }
        String detail = shown.size() >= limit ? "limit-reached" : r.fallback;
        history.record(new Op(id, start, System.nanoTime(), Kind.LIST, read, customerId, r.status == 200, shown,
                r.servedBy, detail));
        return r;
    }

    private Result write(String method, String path, String body, String what) {
        long start = System.nanoTime();
        Result r = call(method, path, body);
        boolean ok = r.status == 200 || r.status == 202;
        history.record(new Op(id, start, System.nanoTime(), Kind.WRITE, null, what, ok,
                ok ? List.of(seen(r.order)) : List.of(), r.servedBy, ok ? what : r.body));
        return r;
    }

    private static Seen seen(JsonObject order) {
        return new Seen(order.getString("id"), order.getString("customerId"), order.getLong("version"));
    }

    private Result call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization);
        if (token != null) {
            b.header("X-Session-Token", token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            response.headers().firstValue("X-Session-Token").ifPresent(t -> token = t);
            String text = response.body();
            JsonObject order = null;
            JsonArray list = null;
            if (response.statusCode() < 300 && text != null && !text.isEmpty()) {
                if (text.startsWith("[")) {
                    list = new JsonArray(text);
                } else {
                    order = new JsonObject(text);
                }
            }
            return new Result(response.statusCode(), order, list, response.headers().firstValue("X-Served-By").orElse(null),
                    response.headers().firstValue("X-Read-Fallback").orElse(null), text);
        } catch (IOException e) {
            return new Result(-1, null, null, null, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, null, null, null, null, e.toString());
        }
    }
}
