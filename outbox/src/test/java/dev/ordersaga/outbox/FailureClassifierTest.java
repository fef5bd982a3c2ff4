package dev.ordersaga.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailureClassifierTest {

    private final FailureClassifier.Retryable retryable = new FailureClassifier.Retryable();

    @Test
    void timeoutIsRetryable() {
        DeliveryFailure f = FailureClassifier.classify(new TimeoutException("took too long"));
        assertThat(f.kind()).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(f.retryable()).isTrue();
        assertThat(f.kind().label()).isEqualTo("timeout");
    }

    @Test
    void anAnswerThatTimedOutWaitsForItsBackoffButAConnectionThatNeverOpenedIsRetriedAtOnce() {
        // the receiver may still be working on a call that timed out: the same batch at once would queue behind it
        assertThat(retryable.test(new TimeoutException("took too long"))).isFalse();
        assertThat(retryable.test(new RuntimeException("wrapped", new java.util.concurrent.TimeoutException("no answer"))))
                .isFalse();
        // nothing reached a receiver whose connection never opened
        assertThat(retryable.test(new io.netty.channel.ConnectTimeoutException("connection timed out: /10.0.0.1:8081")))
                .isTrue();
        assertThat(FailureClassifier.classify(new io.netty.channel.ConnectTimeoutException("connection timed out")).kind())
                .isEqualTo(ErrorKind.TIMEOUT);
    }

    @Test
    void refusedConnectionIsRetryableConnectError() {
        DeliveryFailure f = FailureClassifier.classify(new RuntimeException("wrapped", new ConnectException("Connection refused")));
        assertThat(f.kind()).isEqualTo(ErrorKind.CONNECT);
        assertThat(f.retryable()).isTrue();
    }

    @Test
    void resetConnectionIsAConnectError() {
        assertThat(FailureClassifier.classify(new IOException("Connection reset by peer")).kind())
                .isEqualTo(ErrorKind.CONNECT);
    }

    @ParameterizedTest
    @ValueSource(ints = { 500, 502, 503, 504 })
    void serverErrorsAreRetryable(int status) {
        DeliveryFailure f = FailureClassifier.classify(new WebApplicationException(Response.status(status).build()));
        assertThat(f.kind()).isEqualTo(ErrorKind.SERVER_ERROR);
        assertThat(f.retryable()).isTrue();
        assertThat(f.detail()).isEqualTo("HTTP " + status);
    }

    @ParameterizedTest
    @ValueSource(ints = { 400, 404, 409, 413, 422 })
    void clientErrorsCanNeverSucceedAndAreTheMessagesFault(int status) {
        DeliveryFailure f = FailureClassifier.classify(new WebApplicationException(Response.status(status).build()));
        assertThat(f.kind()).isEqualTo(ErrorKind.CLIENT_ERROR);
        assertThat(f.retryable()).isFalse();
        assertThat(f.messageFault()).isTrue();
        assertThat(retryable.test(new WebApplicationException(Response.status(status).build()))).isFalse();
        assertThat(new FailureClassifier.DestinationFault().test(new WebApplicationException(Response.status(status).build())))
                .as("counts against the breaker").isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = { 401, 403, 408, 425, 429 })
    void clientErrorsThatMeanLaterAreRetryableAndTheDestinationsFault(int status) {
        DeliveryFailure f = FailureClassifier.classify(new WebApplicationException(Response.status(status).build()));
        assertThat(f.retryable()).isTrue();
        assertThat(f.messageFault()).isFalse();
        assertThat(new FailureClassifier.DestinationFault().test(new WebApplicationException(Response.status(status).build())))
                .as("counts against the breaker").isTrue();
    }

    @Test
    void poisonIsNeverRetried() {
        DeliveryFailure f = FailureClassifier.classify(new PoisonMessageException("unknown type"));
        assertThat(f.kind()).isEqualTo(ErrorKind.POISON);
        assertThat(f.retryable()).isFalse();
    }

    @Test
    void openCircuitIsRetriedByTheOutboxButNotByTheClientRetry() {
        var open = new CircuitBreakerOpenException("open");
        assertThat(FailureClassifier.classify(open).retryable()).isTrue();
        assertThat(retryable.test(open)).isFalse();
    }

    @Test
    void unknownFailuresAreRetriedWithTheirDescription() {
        DeliveryFailure f = FailureClassifier.classify(new IllegalStateException("odd"));
        assertThat(f.kind()).isEqualTo(ErrorKind.UNKNOWN);
        assertThat(f.retryable()).isTrue();
        assertThat(f.detail()).isEqualTo("IllegalStateException: odd");
    }
}
