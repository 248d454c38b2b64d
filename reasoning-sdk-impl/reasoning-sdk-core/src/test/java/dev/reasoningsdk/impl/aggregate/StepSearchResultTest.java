package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link StepSearchResult}'s generated tokens: the budget's count given with the result, or read from a usage that
 * holds them all, never from one whose replies the LM-call cache served (its output tokens leave theirs out).
 */
class StepSearchResultTest {

    /** One model call that generated {@code outputTokens}, and {@code cacheHits} replies served from a cache. */
    private static Usage usage(long outputTokens, int cacheHits) {
        return new Usage(1, 1, 0, 30, outputTokens, Duration.ZERO, cacheHits, Map.of());
    }

    private static StepSearchResult result(Usage usage, Usage rewardUsage, long generatedTokens) {
        return new StepSearchResult("step_search_best_first", Optional.of("6"), List.of(), true, 1,
                StopReason.COMPLETED, usage, rewardUsage, 0, generatedTokens);
    }

    @Test
    void theGeneratedTokensGivenAreReportedWhateverTheUsageSays() {
        // A replay: the usage's cache hits carry no tokens, the budget counted the stored ones.
        assertThat(result(usage(0, 4), Usage.NONE, 57).generatedTokens()).isEqualTo(57);
    }

    @Test
    void negativeGeneratedTokensAreRefused() {
        assertThatThrownBy(() -> result(usage(12, 0), Usage.NONE, Usage.UNKNOWN_TOKENS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("generatedTokens must be >= 0, was -1");
    }

    @Test
    void theConstructorsWithoutGeneratedTokensReadThemFromAUsageWithoutCacheHits() {
        StepSearchResult result = new StepSearchResult("step_search_beam", Optional.empty(), List.of(), false, 2,
                StopReason.NO_ANSWER, usage(12, 0));
        assertThat(result.generatedTokens()).isEqualTo(12);
        // The reward's remembered values are its cache hits, not replies served from the LM-call cache.
        Usage reward = new Usage(0, 0, 0, 5, 0, Duration.ZERO, 2, Map.of());
        assertThat(new StepSearchResult("step_search_beam", Optional.empty(), List.of(), false, 2,
                StopReason.NO_ANSWER, usage(12, 2), reward).generatedTokens()).isEqualTo(12);
    }

    @Test
    void theConstructorsWithoutGeneratedTokensRefuseAUsageThatCannotHoldThem() {
        assertThatThrownBy(() -> new StepSearchResult("step_search_beam", Optional.empty(), List.of(), false, 2,
                StopReason.NO_ANSWER, usage(0, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("usage holds 3 replies served from the cache, whose stored tokens it does not carry: "
                        + "give generatedTokens");
        assertThatThrownBy(() -> new StepSearchResult("step_search_beam", Optional.empty(), List.of(), false, 2,
                StopReason.NO_ANSWER, usage(Usage.UNKNOWN_TOKENS, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("usage does not know its generated tokens: give generatedTokens");
    }
}
