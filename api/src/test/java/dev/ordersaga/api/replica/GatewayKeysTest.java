package dev.ordersaga.api.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class GatewayKeysTest {

    @Test
    void plainIdsAreTheirOwnEncoding() {
        assertThat(GatewayKeys.encode("c1")).isEqualTo("c1");
        assertThat(GatewayKeys.encode("lab-c0.x_y~z")).isEqualTo("lab-c0.x_y~z");
        assertThat(CustomerOrdersRecord.key("c1")).isEqualTo("customer-orders:c1");
        assertThat(OrderRecord.key("550e8400-e29b-41d4-a716-446655440000"))
                .isEqualTo("order:550e8400-e29b-41d4-a716-446655440000");
    }

    @Test
    void pathSyntaxIsEncodedSoNoIdReachesAnotherIdsKey() {
        assertThat(GatewayKeys.encode("alice;x")).isEqualTo("alice%3Bx");
        assertThat(GatewayKeys.encode("alice%3Bx")).isEqualTo("alice%253Bx");
        assertThat(GatewayKeys.encode("a/b?c#d e")).isEqualTo("a%2Fb%3Fc%23d%20e");
        assertThat(GatewayKeys.encode("é")).isEqualTo("%C3%A9");
        List<String> ids = List.of("alice", "alice;x", "alice;x=1", "alice%3Bx", "alice%253Bx", "alice/x", "alice%2Fx",
                "alice x", "alice+x", "alicé", "alice..", "ALICE");
        Set<String> keys = new HashSet<>();
        ids.forEach(id -> keys.add(CustomerOrdersRecord.key(id)));
        assertThat(keys).hasSameSizeAs(ids);
        keys.forEach(k -> assertThat(k).doesNotContain(";", "/", "?", "#", " ").matches("[!-~]+"));
    }
}
