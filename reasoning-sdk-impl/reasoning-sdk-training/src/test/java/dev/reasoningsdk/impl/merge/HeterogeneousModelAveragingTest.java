package dev.reasoningsdk.impl.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.impl.merge.HeterogeneousModelAveraging.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HeterogeneousModelAveragingTest {

    /** A synthetic trade-off: group 0 carries the new skill (low base share), group 2 the old one (high share). */
    private static RatioEvaluator.Scores synthetic(double[] r) {
        double reward = Math.max(0, Math.min(1, 1 - 1.2 * r[0]));
        double retained = Math.max(0, Math.min(1, 1.2 * r[2] - 0.1));
        return new RatioEvaluator.Scores(reward, retained);
    }

    /**
     * Both skills equal 1 - sum_g w_g (r_g - t_g)^2. On the plane sum w_g r_g = m the Lagrange condition makes
     * every r_g - t_g equal, so the optimum is t shifted by m - w.t (inside the box for the targets used here).
     */
    private static RatioEvaluator quadratic(double[] sizes, double[] targets) {
        double[] w = normalised(sizes);
        return r -> {
            double loss = 0;
            for (int g = 0; g < r.length; g++) {
                loss += w[g] * (r[g] - targets[g]) * (r[g] - targets[g]);
            }
            double score = Math.max(0, 1 - loss);
            return new RatioEvaluator.Scores(score, score);
        };
    }

    private static double[] normalised(double[] sizes) {
        double total = Arrays.stream(sizes).sum();
        return Arrays.stream(sizes).map(s -> s / total).toArray();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void findsASpreadThatBeatsUniformAveragingAtTheSameMean(Strategy strategy) {
        HmaResult result = HeterogeneousModelAveraging.builder().groupSizes(1, 1, 1).meanRatio(0.5).strategy(strategy)
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

    @Test
    void cmaEsReachesTheAnalyticOptimumOfASeparableQuadratic() {
        double[] sizes = {1, 2, 3, 4, 5};
        double[] targets = {0.1, 0.9, 0.3, 0.7, 0.2};
        double[] w = normalised(sizes);
        double shift = 0.5;
        for (int g = 0; g < sizes.length; g++) {
            shift -= w[g] * targets[g];
        }
        RatioEvaluator evaluator = quadratic(sizes, targets);
        HmaResult result = HeterogeneousModelAveraging.builder().groupSizes(sizes).meanRatio(0.5)
                .evaluator(evaluator).budget(400).seed(3).build().search();
        double[] best = result.best().ratios();
        double[] optimum = new double[sizes.length];
        for (int g = 0; g < sizes.length; g++) {
            optimum[g] = targets[g] + shift;
            assertThat(best[g]).as("group %d", g).isCloseTo(optimum[g], within(2e-3));
        }
        assertThat(result.best().scores().worst()).isCloseTo(evaluator.evaluate(optimum).worst(), within(1e-5));
        double uniform = evaluator.evaluate(new double[] {0.5, 0.5, 0.5, 0.5, 0.5}).worst();
        assertThat(result.best().scores().worst()).isGreaterThan(uniform + 0.05);
        HmaResult baseline = HeterogeneousModelAveraging.builder().groupSizes(sizes).meanRatio(0.5)
                .strategy(Strategy.ONE_PLUS_LAMBDA).evaluator(evaluator).budget(400).seed(3).build().search();
        assertThat(1 - result.best().scores().worst()).isLessThan(1 - baseline.best().scores().worst());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void everyEvaluatedPointIsInTheBoxAtThePinnedMeanForFortyGroups(Strategy strategy) {
        SplittableRandom random = new SplittableRandom(17);
        double[] sizes = new double[40];
        double[] targets = new double[40];
        for (int g = 0; g < sizes.length; g++) {
            sizes[g] = random.nextDouble(1, 100);
            // Targets beyond the box force the repair to act on most samples.
            targets[g] = random.nextDouble(-0.5, 1.5);
        }
        double[] w = normalised(sizes);
        AtomicInteger calls = new AtomicInteger();
        RatioEvaluator quadratic = quadratic(sizes, targets);
        HmaResult result = HeterogeneousModelAveraging.builder().groupSizes(sizes).meanRatio(0.3).strategy(strategy)
                .evaluator(r -> {
                    calls.incrementAndGet();
                    return quadratic.evaluate(r);
                }).budget(151).seed(2).build().search();
        assertThat(result.evaluations()).isEqualTo(151);
        assertThat(calls.get()).isEqualTo(151);
        assertThat(result.history().get(0).ratios()).containsOnly(0.3);
        for (HmaPoint point : result.history()) {
            double mean = 0;
            for (int g = 0; g < w.length; g++) {
                assertThat(point.ratios()[g]).isBetween(0.0, 1.0);
                mean += w[g] * point.ratios()[g];
            }
            assertThat(mean).as("evaluation %d", point.evaluation()).isCloseTo(0.3, within(1e-9));
        }
        assertThat(result.best().scores().worst())
                .isGreaterThan(result.history().get(0).scores().worst() + 0.01);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void theSameSeedRepeatsTheSearchAndAnotherSeedDoesNot(Strategy strategy) {
        double[] sizes = {2, 1, 4, 3};
        RatioEvaluator evaluator = quadratic(sizes, new double[] {0.2, 0.8, 0.4, 0.9});
        List<List<Double>> first = ratios(search(sizes, evaluator, strategy, 9));
        assertThat(ratios(search(sizes, evaluator, strategy, 9))).isEqualTo(first);
        assertThat(ratios(search(sizes, evaluator, strategy, 10))).isNotEqualTo(first);
    }

    private static HmaResult search(double[] sizes, RatioEvaluator evaluator, Strategy strategy, long seed) {
        return HeterogeneousModelAveraging.builder().groupSizes(sizes).meanRatio(0.6).strategy(strategy)
                .evaluator(evaluator).budget(30).seed(seed).build().search();
    }

    private static List<List<Double>> ratios(HmaResult result) {
        List<List<Double>> ratios = new ArrayList<>();
        for (HmaPoint point : result.history()) {
            ratios.add(Arrays.stream(point.ratios()).boxed().toList());
        }
        return ratios;
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aSinglePointFeasibleSetIsEvaluatedOnce(Strategy strategy) {
        AtomicInteger calls = new AtomicInteger();
        RatioEvaluator counting = r -> {
            calls.incrementAndGet();
            return new RatioEvaluator.Scores(0.5, 0.5);
        };
        HmaResult oneGroup = HeterogeneousModelAveraging.builder().groupSizes(7).meanRatio(0.4).strategy(strategy)
                .evaluator(counting).budget(20).build().search();
        assertThat(oneGroup.evaluations()).isEqualTo(1);
        assertThat(oneGroup.best().ratios()).containsExactly(0.4);
        HmaResult allBase = HeterogeneousModelAveraging.builder().groupSizes(1, 2, 3).meanRatio(1).strategy(strategy)
                .evaluator(counting).budget(20).build().search();
        assertThat(allBase.evaluations()).isEqualTo(1);
        assertThat(calls.get()).isEqualTo(2);
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
        assertThatThrownBy(() -> HeterogeneousModelAveraging.builder().strategy(null))
                .isInstanceOf(NullPointerException.class).hasMessage("strategy");
        assertThatThrownBy(() -> HeterogeneousModelAveraging.builder().groupSizes(1, 1).meanRatio(0.5)
                .evaluator(r -> new RatioEvaluator.Scores(0, 0)).offspring(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("CMA-ES needs offspring >= 2");
        assertThat(HeterogeneousModelAveraging.builder().groupSizes(1, 1).meanRatio(0.5)
                .evaluator(r -> new RatioEvaluator.Scores(0, 0)).offspring(1).strategy(Strategy.ONE_PLUS_LAMBDA)
                .budget(3).build().search().evaluations()).isEqualTo(3);
    }
}
