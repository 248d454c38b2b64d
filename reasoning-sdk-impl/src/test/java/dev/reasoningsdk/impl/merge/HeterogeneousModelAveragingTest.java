package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class HeterogeneousModelAveragingTest {

    /** A synthetic trade-off: group 0 carries the new skill (low base share), group 2 the old one (high share). */
    private static RatioEvaluator.Scores synthetic(double[] r) {
        double reward = Math.max(0, Math.min(1, 1 - 1.2 * r[0]));
        double retained = Math.max(0, Math.min(1, 1.2 * r[2] - 0.1));
        return new RatioEvaluator.Scores(reward, retained);
    }

    @Test
    void findsASpreadThatBeatsUniformAveragingAtTheSameMean() {
        HmaResult result = HeterogeneousModelAveraging.builder().groupSizes(1, 1, 1).meanRatio(0.5)
                .evaluator(HeterogeneousModelAveragingTest::synthetic).budget(40).seed(3).build().search();
        double[] uniform = {0.5, 0.5, 0.5};
        assertThat(result.history().get(0).ratios()).containsExactly(uniform);
        assertThat(result.best().scores().worst()).isGreaterThan(synthetic(uniform).worst() + 0.1);
        assertThat(result.evaluations()).isEqualTo(40);
        assertThat(result.usage().modelCalls()).isEqualTo(40);
        for (HmaPoint point : result.history()) {
            double mean = (point.ratios()[0] + point.ratios()[1] + point.ratios()[2]) / 3;
            assertThat(mean).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(result.front()).isNotEmpty().allSatisfy(p -> assertThat(result.history()
                .stream().noneMatch(q -> q.scores().dominates(p.scores()))).isTrue());
    }

    @Property(tries = 200)
    void mutationsKeepTheWeightedMeanAndTheBox(@ForAll @DoubleRange(min = 0, max = 1) double mean,
                                               @ForAll long seed) {
        double[] sizes = {3, 1, 2, 5};
        HeterogeneousModelAveraging hma = HeterogeneousModelAveraging.builder().groupSizes(sizes).meanRatio(mean)
                .evaluator(r -> new RatioEvaluator.Scores(0, 0)).build();
        double[] ratios = {mean, mean, mean, mean};
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 5; i++) {
            ratios = hma.mutate(ratios, 0.8, random);
            double weighted = 0;
            for (int g = 0; g < ratios.length; g++) {
                assertThat(ratios[g]).isBetween(0.0, 1.0);
                weighted += sizes[g] / 11 * ratios[g];
            }
            assertThat(weighted).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void settingsAreValidatedEagerly() {
        assertThatThrownBy(() -> HeterogeneousModelAveraging.builder().meanRatio(1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeterogeneousModelAveraging.builder().groupSizes(1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeterogeneousModelAveraging.builder().build())
                .isInstanceOf(IllegalStateException.class);
    }
}
