package dev.ordersaga.outbox;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The destination {@code test} of the outbox's own tests: it answers at once, fails like a peer
 * that is down, or holds every call until the test lets it go, and counts what it saw.
 */
@ApplicationScoped
public class TestTransport implements MessageTransport {

    public static final String DESTINATION = "test";
    public static final String TYPE = "Ping";

    public enum Mode {
        ANSWER, REFUSE, HOLD
    }

    private volatile Mode mode = Mode.ANSWER;
    private final List<UUID> delivered = new CopyOnWriteArrayList<>();
    /** Every message a call carried, once per call (a message sent twice is here twice). */
    private final List<UUID> sent = new CopyOnWriteArrayList<>();
    /** The traceparent each message was last sent with ("" for none). */
    private final Map<UUID, String> traceparents = new ConcurrentHashMap<>();
    private final List<UniEmitter<? super Void>> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    @Override
    public String destination() {
        return DESTINATION;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public DeliveryGuards guards() {
        // a test profile may give calls longer (test.transport.timeout-ms): a held call must not time out
        long timeout = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("test.transport.timeout-ms", Long.class).orElse(5000L);
        return DeliveryGuards.ofMillis(timeout, 0, 1000);
    }

    /** The traceparent a message was last sent with ("" for none), or null if it was never sent. */
    String traceparent(UUID messageId) {
        return traceparents.get(messageId);
    }

    @Override
    public Uni<Void> deliver(Envelope envelope, String traceparent) {
        calls.incrementAndGet();
        sent.add(envelope.messageId());
        traceparents.put(envelope.messageId(), traceparent == null ? "" : traceparent);
        return switch (mode) {
            case REFUSE -> Uni.createFrom().failure(new ConnectException("Connection refused"));
            case ANSWER -> Uni.createFrom().voidItem().invoke(() -> delivered.add(envelope.messageId()));
            case HOLD -> Uni.createFrom().<Void>emitter(emitter -> {
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                held.add(emitter);
            }).invoke(() -> delivered.add(envelope.messageId()));
        };
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Answers every held call. */
    public void release() {
        mode = Mode.ANSWER;
        for (UniEmitter<? super Void> e : held) {
            held.remove(e);
            inFlight.decrementAndGet();
            e.complete(null);
        }
    }

    public void reset() {
        release();
        delivered.clear();
        sent.clear();
        calls.set(0);
        mostInFlight.set(0);
    }

    public List<UUID> delivered() {
        return delivered;
    }

    /** Every message a call carried, once per call. */
    public List<UUID> sent() {
        return sent;
    }

    public int calls() {
        return calls.get();
    }

    public int held() {
        return held.size();
    }

    public int mostInFlight() {
        return mostInFlight.get();
    }
}
