package dev.ordersaga.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ordersaga.testsupport.TokenIssuer;

/**
 * The lab and the local stack mint customers' tokens in a plain JVM, on this module's runtime
 * classpath: every library the token builder needs must be on it, not only on a Quarkus test's.
 */
class TokensOutsideQuarkusTest {

    @Test
    void aCustomerTokenIsMintedWithoutAQuarkusApplication(@TempDir Path dir) {
        String token = TokenIssuer.create(dir).token("c1", Duration.ofMinutes(5));

        assertThat(token.split("\\.")).hasSize(3);
    }
}
