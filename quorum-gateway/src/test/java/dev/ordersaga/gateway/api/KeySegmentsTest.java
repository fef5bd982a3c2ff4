package dev.ordersaga.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeySegmentsTest {

    @Test
    void percentEncodedUtf8DecodesToTheKeyAndPlusStaysPlus() {
        assertThat(KeySegments.decode("customer-orders:alice%3Bx")).isEqualTo("customer-orders:alice;x");
        assertThat(KeySegments.decode("a+b%20c")).isEqualTo("a+b c");
        assertThat(KeySegments.decode("caf%C3%A9")).isEqualTo("café");
        assertThat(KeySegments.decode("%2Fetc")).isEqualTo("/etc");
    }

    @Test
    void brokenOrNonUtf8EncodingsAndRawNonAsciiDecodeToNothing() {
        assertThat(KeySegments.decode("a%2")).isNull();
        assertThat(KeySegments.decode("a%zz")).isNull();
        assertThat(KeySegments.decode("a%C3")).isNull();
        assertThat(KeySegments.decode("a%ED%B0%80")).isNull();
        assertThat(KeySegments.decode("café")).isNull();
    }
}
