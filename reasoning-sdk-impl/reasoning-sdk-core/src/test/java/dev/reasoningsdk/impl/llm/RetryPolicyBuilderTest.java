package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyBuilderTest {

    @Test
    void aBadValueIsRefusedAtItsSetterNotLaterAtBuild() {
        RetryPolicy.Builder builder = RetryPolicy.builder();

        assertThatThrownBy(() -> builder.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts must be >= 1, was 0");
        assertThatThrownBy(() -> builder.multiplier(0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multiplier must be finite and >= 1, was 0.5");
        assertThatThrownBy(() -> builder.initialBackoff(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialBackoff must not be negative");
        assertThatThrownBy(() -> builder.maxBackoff(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackoff must not be negative");
        // The cap below the initial backoff is a conflict of two settings, found when both are known.
        assertThatThrownBy(() -> builder.initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1))
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBackoff");
    }
}
