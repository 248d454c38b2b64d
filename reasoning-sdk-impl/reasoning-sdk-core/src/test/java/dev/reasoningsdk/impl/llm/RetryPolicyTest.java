package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void defaultsAreThreeAttemptsHalfASecondDoublingUpToThirtySeconds() {
        assertThat(RetryPolicy.create()).isEqualTo(new RetryPolicy(3, Duration.ofMillis(500),
                Duration.ofSeconds(30), 2));
        assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCap() {
        RetryPolicy policy = RetryPolicy.create();
        assertThat(policy.backoff(1, 1.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(policy.backoff(2, 1.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(5, 1.0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.backoff(7, 1.0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoff(1000, 1.0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoff(3, 0.0)).isEqualTo(Duration.ZERO);
        assertThat(policy.backoff(3, 0.25)).isEqualTo(Duration.ofMillis(500));
    }

    @Property(tries = 200)
    void fullJitterStaysWithinZeroAndTheCappedBound(@ForAll @IntRange(min = 1, max = 60) int retry,
                                                     @ForAll @DoubleRange(min = 0, max = 1) double random) {
        RetryPolicy policy = RetryPolicy.builder().initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofSeconds(5)).multiplier(3).build();
        Duration delay = policy.backoff(retry, random);
        assertThat(delay).isBetween(Duration.ZERO, Duration.ofSeconds(5));
        assertThat(delay.toNanos()).isLessThanOrEqualTo(
                (long) Math.min(100e6 * Math.pow(3, retry - 1), 5e9));
    }

    @Test
    void rejectsOutOfRangeSettings() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialBackoff");
        assertThatThrownBy(() -> RetryPolicy.builder().initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackoff");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.builder().maxBackoff(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RetryPolicy.create().backoff(0, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.create().backoff(1, 1.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
