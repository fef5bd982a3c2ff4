package dev.ordersaga.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.smallrye.jwt.build.Jwt;

/**
 * Callers of the api in tests: bearer JWTs minted with the test key pair
 * ({@code src/test/resources/test-jwt}), and a RestAssured filter that lets tests written from a
 * customer's point of view act as the customer their request names.
 */
public final class Callers {

    public static final String ISSUER = "https://ordersaga.dev";
    public static final String AUDIENCE = "ordersaga-api";
    private static final Pattern BODY_CUSTOMER = Pattern.compile("\"customerId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ORDER_PATH = Pattern.compile("/orders/([0-9a-fA-F-]{36})");
    private static final Pattern LIST_CUSTOMER = Pattern.compile("[?&]customerId=([^&]+)");
    private static final Map<String, String> OWNERS = new ConcurrentHashMap<>();
    private static volatile boolean installed;

    private Callers() {
    }

    /** {@code Authorization} header value of a customer (with optional groups, e.g. orders-admin). */
    public static String bearer(String subject, String... groups) {
        return "Bearer " + Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).groups(Set.of(groups))
                .expiresIn(3600).sign("test-jwt/privateKey.pem");
    }

    /**
     * Requests to {@code /orders} without an {@code Authorization} header are sent as the customer
     * they concern: the {@code customerId} of a created order's body, the listed customer, or the
     * owner of the order in the path (learned from the answers to earlier creations).
     */
    public static synchronized void actAsOwners() {
        if (installed) {
            return;
        }
        installed = true;
        Filter filter = (request, response, ctx) -> {
            String uri = request.getURI();
            boolean orders = uri.contains("/orders");
            if (orders && !request.getHeaders().hasHeaderWithName("Authorization")) {
                String subject = subject(uri, request.getBody() == null ? "" : String.valueOf((Object) request.getBody()));
                request.header("Authorization", bearer(subject));
            }
            var answer = ctx.next(request, response);
            if (orders && request.getMethod().equals("POST") && uri.endsWith("/orders") && answer.statusCode() < 300) {
                String id = answer.path("id");
                String owner = answer.path("customerId");
                if (id != null && owner != null) {
                    OWNERS.put(id, owner);
                }
            }
            return answer;
        };
        RestAssured.filters(filter);
    }

    private static String subject(String uri, String body) {
        Matcher fromBody = BODY_CUSTOMER.matcher(body);
        if (fromBody.find() && fromBody.group(1).length() <= 64) {
            return fromBody.group(1);
        }
        Matcher listed = LIST_CUSTOMER.matcher(uri);
        if (listed.find()) {
            return URLDecoder.decode(listed.group(1), StandardCharsets.UTF_8);
        }
        Matcher order = ORDER_PATH.matcher(uri);
        if (order.find() && OWNERS.containsKey(order.group(1))) {
            return OWNERS.get(order.group(1));
        }
        return "c-default";
    }
}
