package dev.reasoningsdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UsageTest {

    @Test
    void cacheHitsAndFailuresByKindAddUpAndMustMatchTheFailedCalls() {
        Usage timedOut = new Usage(0, 2, 1, 5, 5, Duration.ZERO, 1, Map.of(CallFailure.TIMEOUT, 1));
        Usage legacy = new Usage(1, 2, 1, 3, 4, Duration.ZERO);

        Usage sum = timedOut.plus(legacy);

        assertThat(legacy.failuresByKind()).containsExactly(Map.entry(CallFailure.OTHER, 1));
        assertThat(sum.cacheHits()).isEqualTo(1);
        assertThat(sum.failedCalls(CallFailure.TIMEOUT)).isEqualTo(1);
        assertThat(sum.failedCalls(CallFailure.OTHER)).isEqualTo(1);
        assertThat(sum.failedCalls(CallFailure.GARBAGE)).isZero();
        assertThat(sum.withAllCallsFailed(CallFailure.GARBAGE).failuresByKind())
                .containsEntry(CallFailure.GARBAGE, 2).containsEntry(CallFailure.TIMEOUT, 1);
        assertThat(sum.withSamples(0).samples()).isZero();
        assertThat(new Usage(0, 1, 1, 0, 0, Duration.ZERO, 0, Map.of(CallFailure.TIMEOUT, 1, CallFailure.GARBAGE, 0)))
                .isEqualTo(new Usage(0, 1, 1, 0, 0, Duration.ZERO, 0, Map.of(CallFailure.TIMEOUT, 1)));
        assertThatThrownBy(() -> new Usage(0, 2, 2, 0, 0, Duration.ZERO, 0, Map.of(CallFailure.TIMEOUT, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add up to 1");
        assertThatThrownBy(() -> new Usage(0, 0, 0, 0, 0, Duration.ZERO, -1, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheHits");
    }

    private static final Usage A = new Usage(2, 3, 1, 100, 40, Duration.ofMillis(500));
    private static final Usage B = new Usage(1, 4, 2, 10, 5, Duration.ofMillis(250));

    @Test
    void plusAddsEveryCount() {
        assertThat(A.plus(B)).isEqualTo(new Usage(3, 7, 3, 110, 45, Duration.ofMillis(750)));
        assertThat(A.tokensKnown()).isTrue();
    }

    @Test
    void anUnknownTokenCountStaysUnknown() {
        Usage unknownInput = new Usage(1, 1, 0, Usage.UNKNOWN_TOKENS, 5, Duration.ZERO);
        Usage sum = A.plus(unknownInput);
        assertThat(sum.inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(sum.outputTokens()).isEqualTo(45);
        assertThat(sum.tokensKnown()).isFalse();
        assertThat(unknownInput.plus(A).inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
    }

    @Test
    void noneIsTheIdentity() {
        assertThat(A.plus(Usage.NONE)).isEqualTo(A);
        assertThat(Usage.NONE.plus(A)).isEqualTo(A);
    }

    @Test
    void wallTimeCanBeReplacedForOverlappingWork() {
        assertThat(A.plus(B).withWallTime(Duration.ofMillis(500)).wallTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(Usage.ofWallTime(Duration.ofSeconds(2))).isEqualTo(new Usage(0, 0, 0, 0, 0,
                Duration.ofSeconds(2)));
    }

    @Test
    void rejectsImpossibleValues() {
        assertThatThrownBy(() -> new Usage(-1, 0, 0, 0, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples");
        assertThatThrownBy(() -> new Usage(0, -1, 0, 0, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelCalls");
        assertThatThrownBy(() -> new Usage(0, 1, 2, 0, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failedCalls");
        assertThatThrownBy(() -> new Usage(0, 0, 0, -2, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
        assertThatThrownBy(() -> new Usage(0, 0, 0, 0, 0, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wallTime");
        assertThatThrownBy(() -> new Usage(0, 0, 0, 0, 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> A.plus(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void tokenOverflowIsAnErrorNotAWrapAround() {
        Usage huge = new Usage(0, 0, 0, Long.MAX_VALUE, 0, Duration.ZERO);
        assertThatThrownBy(() -> huge.plus(A)).isInstanceOf(ArithmeticException.class);
    }

    @Property(tries = 100)
    void plusIsCommutative(@ForAll @IntRange(max = 1000) int calls, @ForAll @IntRange(max = 1000) int failed,
                           @ForAll @LongRange(min = -1, max = 1_000_000) long tokens) {
        Usage other = new Usage(calls, calls + failed, failed, tokens, 7, Duration.ofMillis(calls));
        Usage left = A.plus(other);
        Usage right = other.plus(A);
        assertThat(left).isEqualTo(right);
        assertThat(left.failedCalls()).isLessThanOrEqualTo(left.modelCalls());
    }
}
