package dev.ordersaga.api.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CustomerIdTest {

    @ParameterizedTest
    @ValueSource(strings = { "alice", "alice;x", "alice/x", "auth0|123", "a@b.example", "alicé", "\ud83d\ude00", "alice x",
            "550e8400-e29b-41d4-a716-446655440000" })
    void textEveryStoreKeepsVerbatimNamesACustomer(String id) {
        assertThat(CustomerId.problem(id)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "a\nb", "a\u0000b", "a\u007fb", "a\u0085b", "\udc00x", "x\udbff", "\udbffx" })
    void emptyControlCharactersAndUnpairedSurrogatesDoNot(String id) {
        assertThat(CustomerId.problem(id)).isPresent();
    }

    @Test
    void theBoundIsInUtf8Bytes() {
        assertThat(CustomerId.problem("x".repeat(128))).isEmpty();
        assertThat(CustomerId.problem("x".repeat(129))).isPresent();
        assertThat(CustomerId.problem("é".repeat(64))).isEmpty();
        assertThat(CustomerId.problem("é".repeat(65))).isPresent();
        assertThat(CustomerId.problem(null)).isPresent();
    }
}
