package dev.ordersaga.lab;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The lab's client of the quorum gateways: writes, reads with their siblings, and the hint backlog. */
final class GatewayProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private GatewayProbe() {
    }

    /** PUT {@code value} under {@code key} through a gateway; returns the status (or -1 when no answer came). */
    static int put(String gateway, String key, String value, String context) {
        try {
            var b = Recorder.request(gateway + "/kv/" + key)
                    .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(value));
            if (context != null) {
                b.header("X-Context", context);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A read of {@code key} (null when no answer came). */
    static HttpResponse<String> get(String gateway, String key) {
        try {
            return HTTP.send(Recorder.request(gateway + "/kv/" + key).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    /** The values a read shows: one, or every sibling's. */
    static List<String> values(HttpResponse<String> r) {
        if (r == null) {
            return List.of();
        }
        if (r.statusCode() == 200) {
            return List.of(r.body());
        }
        if (r.statusCode() == 300) {
            List<String> out = new ArrayList<>();
            JsonArray siblings = new JsonObject(r.body()).getJsonArray("siblings");
            for (int i = 0; i < siblings.size(); i++) {
                out.add(new String(Base64.getDecoder().decode(siblings.getJsonObject(i).getString("value"))));
            }
            return out;
        }
        return List.of();
    }

    /** Whether gateway {@code gateway} reports node {@code node} unreachable or its breaker open: it has seen a cut. */
    static boolean sees(Lab lab, int gateway, int node) {
        JsonObject status = Recorder.get(lab.gatewayUrl(gateway) + "/status");
        if (status == null) {
            return false;
        }
        JsonObject n = status.getJsonArray("nodes").getJsonObject(node);
        return Boolean.FALSE.equals(n.getValue("reachable")) || "OPEN".equals(n.getString("breaker"));
    }

    /** The largest hint backlog any gateway reports for any node; -1 when a gateway does not answer. */
    static long hintBacklog(Lab lab) {
        long total = 0;
        for (int i = 0; i < 2; i++) {
            JsonObject status = Recorder.get(lab.gatewayUrl(i) + "/status");
            if (status == null) {
                return -1;
            }
            JsonArray nodes = status.getJsonArray("nodes");
            for (int n = 0; n < nodes.size(); n++) {
                // null for a node some holder of whose hints does not answer: that count is unknown
                if (nodes.getJsonObject(n).getValue("hintBacklog") instanceof Number backlog) {
                    total = Math.max(total, backlog.longValue());
                }
            }
        }
        return total;
    }
}
