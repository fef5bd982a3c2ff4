package dev.ordersaga.gateway.antientropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static Map<String, byte[]> keys(int n, String version) {
        Map<String, byte[]> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("key-" + i, (version + i).getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void equalDataGivesEqualRootsWhateverTheInsertionOrder() {
        Map<String, byte[]> a = keys(1000, "v");
        Map<String, byte[]> b = new java.util.TreeMap<>(a);
        assertThat(MerkleTree.build(a, 256).rootHex()).isEqualTo(MerkleTree.build(b, 256).rootHex());
        assertThat(MerkleTree.diff(MerkleTree.build(a, 256), MerkleTree.build(b, 256))).isEmpty();
    }

    @Test
    void aChangedKeyShowsUpInExactlyItsBucket() {
        Map<String, byte[]> a = keys(1000, "v");
        Map<String, byte[]> b = new HashMap<>(a);
        b.put("key-42", "other".getBytes(StandardCharsets.UTF_8));
        List<Integer> diff = MerkleTree.diff(MerkleTree.build(a, 256), MerkleTree.build(b, 256));
        assertThat(diff).containsExactly(MerkleTree.bucket("key-42", 256));
    }

    @Test
    void missingAndExtraKeysAreFound() {
        Map<String, byte[]> a = keys(100, "v");
        Map<String, byte[]> b = new HashMap<>(a);
        b.remove("key-7");
        b.put("extra", new byte[] { 1 });
        List<Integer> diff = MerkleTree.diff(MerkleTree.build(a, 64), MerkleTree.build(b, 64));
        assertThat(diff).contains(MerkleTree.bucket("key-7", 64), MerkleTree.bucket("extra", 64));
        assertThat(diff.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void emptyTreesAreEqualAndBucketsCoverTheRange() {
        assertThat(MerkleTree.build(Map.of(), 8).rootHex()).isEqualTo(MerkleTree.build(Map.of(), 8).rootHex());
        for (int i = 0; i < 10_000; i++) {
            assertThat(MerkleTree.bucket("k" + i, 1024)).isBetween(0, 1023);
        }
    }

    @Test
    void rangesJoinNeighbouringBuckets() {
        assertThat(MerkleTree.ranges(List.of(1, 2, 3, 7, 9, 10)))
                .containsExactly(new int[] { 1, 3 }, new int[] { 7, 7 }, new int[] { 9, 10 });
    }

    @Test
    void leavesMustBeAPowerOfTwoAndTreesOfOneShape() {
        assertThatThrownBy(() -> MerkleTree.build(Map.of(), 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.diff(MerkleTree.build(Map.of(), 8), MerkleTree.build(Map.of(), 16)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
