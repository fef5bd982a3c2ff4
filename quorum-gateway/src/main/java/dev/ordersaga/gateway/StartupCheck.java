package dev.ordersaga.gateway;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

import dev.ordersaga.gateway.antientropy.MerkleTree;
import dev.ordersaga.gateway.config.GatewayConfig;
import dev.ordersaga.gateway.context.ContextSigner;
import dev.ordersaga.gateway.node.Replicas;
import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.http.config.ConfigCheck;
import dev.ordersaga.http.signing.SigningKeys;

/**
 * Checks every setting when the gateway starts, the rules between values included (the
 * single-value rules are constraints on {@link GatewayConfig}): a bad value stops the start with a
 * log line naming the variable, the value and the rule, before the gateway reports ready.
 */
@ApplicationScoped
public class StartupCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, GatewayConfig config,
            @ConfigProperty(name = "internal.secret") Optional<String> secret) {
        check(config, secret).orFail();
    }

    static ConfigCheck check(GatewayConfig config, Optional<String> secret) {
        ConfigCheck check = new ConfigCheck("quorum-gateway");
        Replicas.problems(config.nodes()).forEach(p -> check.require(false, "GATEWAY_NODES", config.nodes(), p));
        int n = config.nodes().size();
        check.require(config.w() <= n, "GATEWAY_W", config.w(), "must be between 1 and the " + n + " nodes of GATEWAY_NODES")
                .require(config.r() <= n, "GATEWAY_R", config.r(), "must be between 1 and the " + n + " nodes of GATEWAY_NODES")
                .require(MerkleTree.validLeaves(config.merkleLeaves()), "GATEWAY_MERKLE_LEAVES", config.merkleLeaves(),
                        "must be a power of two")
                .require(config.maxKeyBytes() >= config.maxValueBytes(), "GATEWAY_MAX_KEY_BYTES", config.maxKeyBytes(),
                        "must be at least GATEWAY_MAX_VALUE_BYTES (" + config.maxValueBytes() + ")")
                .require(config.maxBatchBytes() >= 2L * config.maxValueBytes() + 65536, "GATEWAY_MAX_BATCH_BYTES",
                        config.maxBatchBytes(), "must be at least twice GATEWAY_MAX_VALUE_BYTES (" + config.maxValueBytes()
                                + ") plus 65536: a value of the largest size must fit in a multi-key write, base64-encoded");
        positive(check, "GATEWAY_NODE_TIMEOUT", config.nodeTimeout());
        positive(check, "GATEWAY_BREAKER_DELAY", config.breakerDelay());
        check.require(!config.speculativeReadAfter().isNegative(), "GATEWAY_SPECULATIVE_READ_AFTER",
                config.speculativeReadAfter(), "must be 0 (every node at once) or a positive duration");
        positive(check, "GATEWAY_HINTS_REPLAY_EVERY", config.hintsReplayEvery());
        positive(check, "GATEWAY_ANTI_ENTROPY_EVERY", config.antiEntropyEvery());
        positive(check, "GATEWAY_REPAIR_PASS_BUDGET", config.repairPassBudget());
        check.require(config.tombstoneGrace().compareTo(config.nodeTimeout().multipliedBy(20)) >= 0, "GATEWAY_TOMBSTONE_GRACE",
                config.tombstoneGrace(), "must be at least 20 times GATEWAY_NODE_TIMEOUT (" + config.nodeTimeout()
                        + "): a tombstone must outlive every command of an older state still under way");
        check.attempt(() -> SigningKeys.parse("GATEWAY_CONTEXT_KEYS", config.contextKeys().orElse(null)));
        check.requireSecret(InternalSecret.acceptable(secret), "INTERNAL_SECRET",
                "must be set, at least " + InternalSecret.MIN_LENGTH + " characters");
        return check;
    }

    private static void positive(ConfigCheck check, String variable, Duration value) {
        check.require(!value.isNegative() && !value.isZero(), variable, value, "must be a positive duration");
    }

    /** The signer of {@code X-Context}, from {@code GATEWAY_CONTEXT_KEYS}. */
    @Produces
    @Singleton
    ContextSigner contextSigner(GatewayConfig config) {
        return new ContextSigner(SigningKeys.parse("GATEWAY_CONTEXT_KEYS", config.contextKeys().orElse(null)));
    }
}
