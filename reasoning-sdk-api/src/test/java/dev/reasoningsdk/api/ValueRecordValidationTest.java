package dev.reasoningsdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.PromptHiddenState;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.api.prompt.OptimizationStep;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Public value records refuse values no technique can produce, naming the component and the value. */
class ValueRecordValidationTest {

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void aggregationResultRefusesANonFiniteMargin(double margin) {
        assertThatThrownBy(() -> new AggregationResult("majority", Optional.empty(), List.of(), margin,
                StopReason.NO_ANSWER, 0, Usage.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("margin must be finite, was " + margin);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void optimizationStepRefusesANonFiniteScoreOrBestScore(double bad) {
        assertThatThrownBy(() -> new OptimizationStep(0, "p", "initial", bad, 1.0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("score must be finite, was " + bad);
        assertThatThrownBy(() -> new OptimizationStep(0, "p", "initial", 1.0, bad, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bestScore must be finite, was " + bad);
    }

    @Test
    void sampleRefusesNegativeCountsButKeepsUnknownTokens() {
        assertThatThrownBy(() -> new SampleBatch.Sample(-1, "t", 3, 4, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("index must be >= 0, was -1");
        assertThatThrownBy(() -> new SampleBatch.Sample(0, "t", 3, 4, -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempts must be >= 0, was -2");
        assertThatThrownBy(() -> new SampleBatch.Sample(0, "t", -2, 4, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputTokens must be >= 0 or UNKNOWN_TOKENS, was -2");
        assertThatThrownBy(() -> new SampleBatch.Sample(0, "t", 3, -5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outputTokens must be >= 0 or UNKNOWN_TOKENS, was -5");

        SampleBatch.Sample unknown = new SampleBatch.Sample(0, "t", Usage.UNKNOWN_TOKENS, Usage.UNKNOWN_TOKENS, 1);
        assertThat(unknown.inputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
        assertThat(unknown.outputTokens()).isEqualTo(Usage.UNKNOWN_TOKENS);
    }

    @Test
    void aBatchAndAFailureRefuseNegativeCounts() {
        assertThatThrownBy(() -> new SampleBatch(-1, List.of(), List.of(), StopReason.COMPLETED, Usage.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requested must be >= 0, was -1");
        assertThatThrownBy(() -> new SampleBatch.SampleFailure(-3, SampleBatch.FailureKind.TIMEOUT, "m", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("index must be >= 0, was -3");
        assertThatThrownBy(() -> new SampleBatch.SampleFailure(0, SampleBatch.FailureKind.TIMEOUT, "m", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempts must be >= 0, was -1");
        // A request that could not be built failed without a call.
        assertThat(new SampleBatch.SampleFailure(0, SampleBatch.FailureKind.PERMANENT, "m", 0).attempts()).isZero();
    }

    @Test
    void aPromptHiddenStateRefusesNegativePromptTokens() {
        assertThatThrownBy(() -> new PromptHiddenState(new float[] {0.5f}, OptionalInt.of(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("promptTokens must be >= 0, was -1");
    }

    @Test
    void generationRefusesNegativePromptTokens() {
        assertThatThrownBy(() -> new Generation("x", new int[] {1}, new float[] {-0.5f}, -1,
                Generation.FinishReason.END_OF_SEQUENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("promptTokens must be >= 0, was -1");
        assertThat(new Generation("x", new int[] {1}, new float[] {-0.5f}, 0,
                Generation.FinishReason.END_OF_SEQUENCE).promptTokens()).isZero();
    }

    private static final ScoredChain CHAIN = new ScoredChain(0, ReasoningChain.of("2+2=4. The answer is 4."), "4",
            OptionalDouble.empty());

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void answerGroupRefusesANonFiniteScore(double score) {
        assertThatThrownBy(() -> new AnswerGroup("4", List.of(CHAIN), score, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("score must be finite, was " + score);
        // Counts, weight sums and AoR's 0-10 means stay legal, 0 included.
        assertThat(new AnswerGroup("4", List.of(CHAIN), 0, List.of()).score()).isZero();
        assertThat(new AnswerGroup("4", List.of(CHAIN), 7.5, List.of(0)).score()).isEqualTo(7.5);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void scoredChainRefusesANonFiniteLocalScore(double score) {
        assertThatThrownBy(() -> new ScoredChain(0, CHAIN.chain(), "4", OptionalDouble.of(score)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("localScore must be finite, was " + score);
        // A log-likelihood is negative; an unscored chain is empty.
        assertThat(new ScoredChain(0, CHAIN.chain(), "4", OptionalDouble.of(-12.5)).localScore()).hasValue(-12.5);
        assertThat(CHAIN.localScore()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void optimizationResultRefusesANonFiniteScore(double bad) {
        // NaN compares false with everything, so the best-below-initial check alone let it through.
        assertThatThrownBy(() -> new OptimizationResult("plum", "p", bad, "p", 1.0, List.of(), 1, 0,
                StopReason.COMPLETED, Usage.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("initialScore must be finite, was " + bad);
        assertThatThrownBy(() -> new OptimizationResult("plum", "p", 0.5, "p", bad, List.of(), 1, 0,
                StopReason.COMPLETED, Usage.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bestScore must be finite, was " + bad);
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, 0.25f, Float.POSITIVE_INFINITY})
    void generationRefusesALogProbabilityAboveZeroOrNaN(float bad) {
        assertThatThrownBy(() -> new Generation("ab", new int[] {1, 2}, new float[] {-0.5f, bad}, 0,
                Generation.FinishReason.END_OF_SEQUENCE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenLogProbs[1] must be <= 0, was " + bad);
        // -Infinity is a legal log-probability (a token given no chance), as TokenLogProb allows.
        assertThat(new Generation("ab", new int[] {1, 2}, new float[] {0f, Float.NEGATIVE_INFINITY}, 0,
                Generation.FinishReason.END_OF_SEQUENCE).tokenLogProbs()).hasSize(2);
    }
}
