package dev.ordersaga.gateway.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static String hex(int seed) {
        return String.format("%040x", seed * 2654435761L);
    }

    private static Map<Integer, String> leaves(int n) {
        Map<Integer, String> m = new HashMap<>();
        for (int i = 0; i < n; i += 3) {
            m.put(i, hex(i + 1));
        }
        return m;
    }

    @Test
    void equalLeavesGiveEqualRoots() {
        assertThat(MerkleTree.fromLeaves(leaves(256), 256).rootHex()).isEqualTo(MerkleTree.fromLeaves(leaves(256), 256).rootHex());
        assertThat(MerkleTree.diff(MerkleTree.fromLeaves(leaves(256), 256), MerkleTree.fromLeaves(leaves(256), 256))).isEmpty();
    }

    @Test
    void aChangedLeafShowsUpAsExactlyItsBucket() {
        Map<Integer, String> other = new HashMap<>(leaves(256));
        other.put(42, hex(999));
        other.remove(99);
        assertThat(MerkleTree.diff(MerkleTree.fromLeaves(leaves(256), 256), MerkleTree.fromLeaves(other, 256)))
                .containsExactly(42, 99);
    }

    @Test
    void bucketsAreStableAndCoverTheRange() {
        for (int i = 0; i < 10_000; i++) {
            int b = MerkleTree.bucket("k" + i, 1024);
            assertThat(b).isBetween(0, 1023).isEqualTo(MerkleTree.bucket("k" + i, 1024));
        }
    }

    @Test
    void leavesMustBeAPowerOfTwo() {
        assertThat(MerkleTree.validLeaves(1000)).isFalse();
        assertThat(MerkleTree.validLeaves(1024)).isTrue();
        assertThatThrownBy(() -> MerkleTree.fromLeaves(Map.of(), 1000)).hasMessageContaining("power of two");
    }

    @Test
    void rangesJoinAdjacentBuckets() {
        assertThat(MerkleTree.ranges(List.of(1, 2, 3, 7, 9, 10))).satisfiesExactly(
                r -> assertThat(r).containsExactly(1, 3), r -> assertThat(r).containsExactly(7, 7),
                r -> assertThat(r).containsExactly(9, 10));
    }
}
