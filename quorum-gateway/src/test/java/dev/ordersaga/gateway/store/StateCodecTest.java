package dev.ordersaga.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordersaga.gateway.causality.Dot;
import dev.ordersaga.gateway.causality.KeyState;
import dev.ordersaga.gateway.causality.Sibling;
import dev.ordersaga.gateway.causality.VersionVector;

class StateCodecTest {

    @Test
    void aStateRoundTripsWithBinaryValuesAndLargeCounters() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        long big = (1L << 53) - 1;
        KeyState state = new KeyState(VersionVector.of(Map.of("node-a", big, "node-b", 3L)), List.of(
                new Sibling(new Dot("node-a", big), binary, "application/octet-stream", false, 1_700_000_000_123L, "g1"),
                new Sibling(new Dot("node-b", 3), new byte[0], "", true, 5, "g2")));
        assertThat(StateCodec.decode(StateCodec.encode(state))).isEqualTo(state);
    }

    @Test
    void absentIsEmptyAndGarbageIsRefused() {
        assertThat(StateCodec.decode(null)).isEqualTo(KeyState.empty());
        assertThatThrownBy(() -> StateCodec.decode(new byte[] { 1, 2, 3 })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aVectorRoundTrips() {
        VersionVector v = VersionVector.of(Map.of("x", 9L, "y", 1L));
        assertThat(StateCodec.decodeVector(StateCodec.encode(v))).isEqualTo(v);
    }
}
