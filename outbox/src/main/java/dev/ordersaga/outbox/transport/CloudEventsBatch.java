package dev.ordersaga.outbox.transport;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import io.cloudevents.jackson.JsonFormat;

import dev.ordersaga.http.ProblemException;
import dev.ordersaga.outbox.Envelope;

/**
 * The saga's wire format: a batch of messages as CloudEvents in the JSON batch format
 * ({@value #MEDIA_TYPE}, a JSON array of structured CloudEvents 1.0), written and read with the
 * CloudEvents SDK (io.cloudevents), so that any CloudEvents consumer can read the saga's messages.
 *
 * <p>A message maps to an event as: {@code id} the message id, {@code source} the sending service
 * ({@code /ordersaga/api}, {@code /ordersaga/worker}), {@code type} the message type, {@code subject}
 * the aggregate (the order), {@code time} when it was written, {@code data} the JSON payload, and
 * the extensions {@code sequence} (the aggregate's sequence number, as the CloudEvents sequence
 * extension writes it: a string), {@code requestid} and {@code traceparent} (distributed tracing
 * extension).
 */
public final class CloudEventsBatch {

    /** The content type of a batch. */
    public static final String MEDIA_TYPE = "application/cloudevents-batch+json";

    private static final TypeReference<List<CloudEvent>> EVENTS = new TypeReference<>() {
    };

    private final ObjectMapper mapper;

    /** A codec over {@code mapper} (a copy of it, with the CloudEvents module registered). */
    public CloudEventsBatch(ObjectMapper mapper) {
        this.mapper = mapper.copy().registerModule(JsonFormat.getCloudEventJacksonModule());
    }

    /** A batch of messages sent by {@code source} (e.g. {@code /ordersaga/api}). */
    public byte[] encode(List<Envelope> messages, String source) {
        List<CloudEvent> events = new ArrayList<>(messages.size());
        URI from = URI.create(source);
        for (Envelope m : messages) {
            CloudEventBuilder event = CloudEventBuilder.v1()
                    .withId(m.messageId().toString())
                    .withSource(from)
                    .withType(m.type())
                    .withSubject(m.aggregateId())
                    .withTime((m.occurredAt() == null ? Instant.now() : m.occurredAt()).atOffset(ZoneOffset.UTC))
                    .withDataContentType("application/json")
                    .withData(JsonCloudEventData.wrap(m.payload()))
                    .withExtension("sequence", Long.toString(m.seq()));
            if (m.requestId() != null) {
                event.withExtension("requestid", m.requestId());
            }
            if (m.traceparent() != null) {
                event.withExtension("traceparent", m.traceparent());
            }
            events.add(event.build());
        }
        try {
            return mapper.writerFor(EVENTS).writeValueAsBytes(events);
        } catch (IOException e) {
            throw new IllegalArgumentException("a batch of " + messages.size() + " messages cannot be written", e);
        }
    }

    /**
     * The messages of a batch; a 400 problem ({@code malformed-batch}) when the body is not a JSON
     * array of CloudEvents each with a UUID id, a type, a subject, a numeric sequence and JSON data.
     */
    public List<Envelope> decode(byte[] body) {
        List<CloudEvent> events;
        try {
            events = mapper.readValue(body, EVENTS);
        } catch (IOException | RuntimeException e) {
            throw malformed("the body is not a JSON array of CloudEvents 1.0: " + e.getClass().getSimpleName());
        }
        if (events == null || events.isEmpty()) {
            throw malformed("the batch holds no event");
        }
        List<Envelope> messages = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            messages.add(message(events.get(i), i));
        }
        return messages;
    }

    private Envelope message(CloudEvent e, int index) {
        UUID id;
        try {
            id = UUID.fromString(e.getId());
        } catch (IllegalArgumentException ex) {
            throw malformed("event " + index + ": id is not a UUID");
        }
        long seq;
        try {
            seq = Long.parseLong(String.valueOf(e.getExtension("sequence")));
        } catch (NumberFormatException ex) {
            throw malformed("event " + index + ": the sequence extension is not a whole number");
        }
        JsonNode payload = data(e.getData(), index);
        Object requestId = e.getExtension("requestid");
        Object traceparent = e.getExtension("traceparent");
        return new Envelope(id, e.getType(), e.getSubject(), seq, requestId == null ? null : requestId.toString(),
                e.getTime() == null ? null : e.getTime().toInstant(), payload,
                traceparent == null ? null : traceparent.toString());
    }

    private JsonNode data(CloudEventData data, int index) {
        if (data instanceof JsonCloudEventData json) {
            return json.getNode();
        }
        if (data == null) {
            throw malformed("event " + index + ": no data");
        }
        try {
            return mapper.readTree(data.toBytes());
        } catch (IOException ex) {
            throw malformed("event " + index + ": data is not JSON");
        }
    }

    private static ProblemException malformed(String detail) {
        return ProblemException.badRequest("malformed-batch", detail);
    }
}
