package dev.ordersaga.gateway.quorum;

import dev.ordersaga.http.ProblemException;

/** A write that resolves nothing would take a key past its sibling or byte bound: 409, nothing written. */
public class SiblingBoundException extends ProblemException {

    public SiblingBoundException(int siblings, long bytes, int maxSiblings, long maxBytes) {
        super(409, "sibling-bound", "Too many concurrent versions",
                "this key holds " + siblings + " sibling(s) (" + bytes + " bytes with this value) and may hold at most "
                        + maxSiblings + " (" + maxBytes + " bytes): read it and write with the X-Context of that read");
        with("siblings", siblings);
        with("bytes", bytes);
        with("maxSiblings", maxSiblings);
        with("maxBytes", maxBytes);
    }
}
