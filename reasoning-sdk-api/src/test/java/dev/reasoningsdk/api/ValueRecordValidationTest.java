package dev.reasoningsdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.api.prompt.OptimizationStep;
import java.util.List;
import java.util.Optional;
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
    void generationRefusesNegativePromptTokens() {
        assertThatThrownBy(() -> new Generation("x", new int[] {1}, new float[] {-0.5f}, -1,
                Generation.FinishReason.END_OF_SEQUENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("promptTokens must be >= 0, was -1");
        assertThat(new Generation("x", new int[] {1}, new float[] {-0.5f}, 0,
                Generation.FinishReason.END_OF_SEQUENCE).promptTokens()).isZero();
    }
}
