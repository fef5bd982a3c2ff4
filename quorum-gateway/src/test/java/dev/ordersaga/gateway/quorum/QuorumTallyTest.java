package dev.ordersaga.gateway.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.ordersaga.gateway.quorum.QuorumTally.Decision;

class QuorumTallyTest {

    @Test
    void twoOfThreeReachesAQuorumOfTwo() {
        QuorumTally t = new QuorumTally(3, 2);
        assertThat(t.success()).isEqualTo(Decision.PENDING);
        assertThat(t.success()).isEqualTo(Decision.REACHED);
        assertThat(t.achieved()).isEqualTo(2);
        assertThat(t.complete()).isFalse();
    }

    @Test
    void oneFailureStillLeavesAQuorumOfTwoPossible() {
        QuorumTally t = new QuorumTally(3, 2);
        assertThat(t.failure()).isEqualTo(Decision.PENDING);
        assertThat(t.success()).isEqualTo(Decision.PENDING);
        assertThat(t.success()).isEqualTo(Decision.REACHED);
        assertThat(t.complete()).isTrue();
    }

    @Test
    void twoFailuresMakeAQuorumOfTwoImpossible() {
        QuorumTally t = new QuorumTally(3, 2);
        t.success();
        assertThat(t.failure()).isEqualTo(Decision.PENDING);
        assertThat(t.failure()).isEqualTo(Decision.LOST);
        assertThat(t.achieved()).isEqualTo(1);
    }

    @Test
    void allNeedsEveryReplicaAndOneNeedsAny() {
        QuorumTally all = new QuorumTally(3, 3);
        all.success();
        all.success();
        assertThat(all.failure()).isEqualTo(Decision.LOST);
        QuorumTally one = new QuorumTally(3, 1);
        one.failure();
        one.failure();
        assertThat(one.success()).isEqualTo(Decision.REACHED);
    }

    @Test
    void aDecisionOnceReachedStaysReached() {
        QuorumTally t = new QuorumTally(3, 2);
        t.success();
        t.success();
        assertThat(t.failure()).isEqualTo(Decision.REACHED);
    }

    @Test
    void requiredMustFitTheReplicas() {
        assertThatThrownBy(() -> new QuorumTally(3, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QuorumTally(3, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
