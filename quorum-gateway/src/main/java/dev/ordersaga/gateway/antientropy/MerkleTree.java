package dev.ordersaga.gateway.antientropy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A hash tree over one replica's keys. The key-hash space is cut into {@code leaves} buckets (a
 * power of two). Each node keeps its leaves up to date on every write (the XOR of the digests of
 * the keys in a bucket, maintained by the Lua scripts); the inner nodes are hashed here from the
 * leaves. Two replicas hold the same data exactly when their roots are equal, and {@link #diff}
 * finds the differing buckets by descending only into differing subtrees. Pure.
 */
public final class MerkleTree {

    private static final byte[] EMPTY = new byte[20];

    private final int leaves;
    /** Heap layout: node 1 is the root, node i has children 2i and 2i+1, leaves at [leaves, 2*leaves). */
    private final byte[][] nodes;

    private MerkleTree(int leaves, byte[][] nodes) {
        this.leaves = leaves;
        this.nodes = nodes;
    }

    /** Whether {@code leaves} is a valid tree width: a power of two. */
    public static boolean validLeaves(int leaves) {
        return leaves >= 1 && Integer.bitCount(leaves) == 1;
    }

    /** Builds a tree from a node's leaf hashes (bucket number to 40 hex digits; absent buckets are empty). */
    public static MerkleTree fromLeaves(Map<Integer, String> leafHex, int leaves) {
        if (!validLeaves(leaves)) {
            throw new IllegalArgumentException("GATEWAY_MERKLE_LEAVES must be a power of two, got " + leaves);
        }
        byte[][] nodes = new byte[2 * leaves][];
        for (int i = 0; i < leaves; i++) {
            String hex = leafHex.get(i);
            nodes[leaves + i] = hex == null ? EMPTY : HexFormat.of().parseHex(hex);
        }
        for (int i = leaves - 1; i >= 1; i--) {
            nodes[i] = sha256(nodes[2 * i], nodes[2 * i + 1]);
        }
        return new MerkleTree(leaves, nodes);
    }

    /** The bucket of a key: the top bits of its SHA-256, so buckets are ranges of the hash space. */
    public static int bucket(String key, int leaves) {
        byte[] h = sha256(key.getBytes(StandardCharsets.UTF_8));
        long top = ByteBuffer.wrap(h, 0, 8).getLong() >>> 1;
        return (int) (top / (Long.MAX_VALUE / leaves + 1));
    }

    public int leaves() {
        return leaves;
    }

    public String rootHex() {
        return HexFormat.of().formatHex(nodes[1]);
    }

    /** The buckets whose contents differ between two trees of the same shape, in order. */
    public static List<Integer> diff(MerkleTree a, MerkleTree b) {
        if (a.leaves != b.leaves) {
            throw new IllegalArgumentException("trees of different shapes: " + a.leaves + " and " + b.leaves);
        }
        List<Integer> differing = new ArrayList<>();
        descend(a, b, 1, differing);
        return differing;
    }

    private static void descend(MerkleTree a, MerkleTree b, int node, List<Integer> out) {
        if (Arrays.equals(a.nodes[node], b.nodes[node])) {
            return;
        }
        if (node >= a.leaves) {
            out.add(node - a.leaves);
            return;
        }
        descend(a, b, 2 * node, out);
        descend(a, b, 2 * node + 1, out);
    }

    /** Contiguous runs of buckets, as [first, last] pairs, for reporting key ranges. */
    public static List<int[]> ranges(List<Integer> buckets) {
        List<int[]> ranges = new ArrayList<>();
        for (int b : buckets) {
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == b - 1) {
                ranges.get(ranges.size() - 1)[1] = b;
            } else {
                ranges.add(new int[] { b, b });
            }
        }
        return ranges;
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
