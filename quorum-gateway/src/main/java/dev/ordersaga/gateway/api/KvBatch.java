package dev.ordersaga.gateway.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The bodies of the multi-key calls, {@code POST /kv-batch/get} and {@code POST /kv-batch/put}. */
public final class KvBatch {

    private KvBatch() {
    }

    /** Keys to read, each at most once; {@code r} as in {@code GET /kv/{key}?r=} (absent: {@code GATEWAY_R}). */
    @RegisterForReflection
    public record GetRequest(List<String> keys, String r) {
    }

    /** Writes, each key at most once; {@code w} as in {@code PUT /kv/{key}?w=} (absent: {@code GATEWAY_W}). */
    @RegisterForReflection
    public record PutRequest(List<Put> writes, String w) {
    }

    /**
     * One key's write: the value base64-encoded with its content type, or {@code "delete": true} for a
     * tombstone; {@code context} is the {@code X-Context} of the read it replaces (absent: a blind write).
     */
    @RegisterForReflection
    public record Put(String key, String context, String contentType, String value, Boolean delete) {
    }

    /** One stored version of a key, as a 300 answer of {@code GET /kv/{key}} lists it. */
    @RegisterForReflection
    public record Version(String contentType, String value, String writtenBy) {
    }

    /**
     * The outcome of one key, in the order of the request: the status its single-key call would have
     * answered (200, 300, 404, 204, or a refusal), the versions and context of a read, the problem of a
     * refusal.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(String key, int status, String context, List<Version> values, Map<String, Object> problem) {
    }

    /** The answer of a multi-key call: one outcome per key, in the order of the request. */
    @RegisterForReflection
    public record Results(List<Outcome> results) {
    }
}
