package dev.ordersaga.outbox.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.Envelope;

class CloudEventsBatchTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final CloudEventsBatch codec = new CloudEventsBatch(mapper);

    private Envelope message(String aggregate, long seq, String payload) throws Exception {
        return new Envelope(UUID.randomUUID(), "ReserveStock", aggregate, seq, "req-1",
                Instant.parse("2026-12-04T10:15:30.123Z"), mapper.readTree(payload),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    @Test
    void aBatchReadsBackAsTheMessagesItWasWrittenFrom() throws Exception {
        List<Envelope> batch = List.of(
                message("order-1", 1, "{\"orderId\":\"order-1\",\"items\":[{\"sku\":\"A\",\"qty\":2}]}"),
                message("order-2", 7, "{\"orderId\":\"order-2\",\"note\":\"ü \\\"quoted\\\"\",\"n\":1.5}"));

        List<Envelope> read = codec.decode(codec.encode(batch, "/ordersaga/api"));

        assertThat(read).isEqualTo(batch);
    }

    @Test
    void theWireFormIsAJsonArrayOfStructuredCloudEvents() throws Exception {
        Envelope m = message("order-1", 3, "{\"orderId\":\"order-1\"}");

        JsonNode wire = mapper.readTree(codec.encode(List.of(m), "/ordersaga/api"));

        assertThat(wire.isArray()).isTrue();
        JsonNode event = wire.get(0);
        assertThat(event.path("specversion").asText()).isEqualTo("1.0");
        assertThat(event.path("id").asText()).isEqualTo(m.messageId().toString());
        assertThat(event.path("source").asText()).isEqualTo("/ordersaga/api");
        assertThat(event.path("type").asText()).isEqualTo("ReserveStock");
        assertThat(event.path("subject").asText()).isEqualTo("order-1");
        assertThat(event.path("sequence").asText()).isEqualTo("3");
        assertThat(event.path("requestid").asText()).isEqualTo("req-1");
        assertThat(event.path("traceparent").asText()).isEqualTo(m.traceparent());
        assertThat(event.path("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(event.path("data").path("orderId").asText()).isEqualTo("order-1");
    }

    @Test
    void whatIsNotABatchOfCloudEventsIsAMalformedBatch() {
        for (String body : List.of("", "{}", "[]", "[{\"specversion\":\"1.0\"}]", "not json",
                "[{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/a\",\"type\":\"T\",\"subject\":\"o\",\"sequence\":\"1\",\"data\":{}}]",
                "[{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID()
                        + "\",\"source\":\"/a\",\"type\":\"T\",\"subject\":\"o\",\"sequence\":\"one\",\"data\":{}}]",
                "[{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID()
                        + "\",\"source\":\"/a\",\"type\":\"T\",\"subject\":\"o\",\"sequence\":\"1\"}]")) {
            assertThatThrownBy(() -> codec.decode(body.getBytes(StandardCharsets.UTF_8)))
                    .as(body)
                    .isInstanceOfSatisfying(ProblemException.class, p -> assertThat(p.status()).isEqualTo(400));
        }
    }
}
