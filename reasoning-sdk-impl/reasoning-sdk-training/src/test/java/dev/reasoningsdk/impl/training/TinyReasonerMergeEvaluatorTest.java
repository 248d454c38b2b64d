package dev.reasoningsdk.impl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.impl.internal.ProjectData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HMA evaluator on the shipped tuned tiny-reasoner pair: its shares are refused before any merge. */
class TinyReasonerMergeEvaluatorTest {

    private static TinyReasonerMergeEvaluator evaluator() {
        Path tuned = ProjectData.require("models/tiny-reasoner-tuned/tiny-reasoner-tuned.onnx").getParent();
        return new TinyReasonerMergeEvaluator(tuned, name -> name.startsWith("blocks.0.") ? 1 : 0, List.of(),
                List.of());
    }

    /** Before, a share of 1.5 was merged and measured: an extrapolation away from both models, not an average. */
    @Test
    void aShareOutsideZeroToOneIsRefusedNamingItsGroup() {
        TinyReasonerMergeEvaluator evaluator = evaluator();
        for (double share : new double[] {1.5, -0.25, Double.NaN}) {
            assertThatThrownBy(() -> evaluator.measure(new double[] {0.5, share}, List.of(), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the base's share of group 1 must be in [0, 1], was " + share);
        }
    }

    @Test
    void sharesAtTheEndsAreMergedAndMeasured() {
        TinyReasonerMergeEvaluator.Measurement measurement = evaluator().measure(new double[] {0, 1}, List.of(),
                List.of());
        assertThat(measurement.exprProblems()).isZero();
        assertThat(measurement.wordProblems()).isZero();
    }
}
