package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.model.GenerationOptions;
import org.junit.jupiter.api.Test;

/** The sampler draws from exactly softmax(logits / T), truncated as asked. */
class TokenSamplerTest {

    private static final float[] LOGITS = {2.0f, 1.5f, 0.3f, -1.0f, 0.9f};
    private static final int DRAWS = 200_000;

    @Test
    void frequenciesMatchTheTemperedSoftmax() {
        double[] expected = softmax(LOGITS, 0.8);
        double[] observed = frequencies(new GenerationOptions(0.8, 1, 0, 10, 3));
        for (int i = 0; i < LOGITS.length; i++) {
            // Four standard errors of a binomial proportion at 200k draws.
            double tolerance = 4 * Math.sqrt(expected[i] * (1 - expected[i]) / DRAWS);
            assertThat(observed[i]).as("token %d", i).isCloseTo(expected[i], within(tolerance));
        }
    }

    @Test
    void topListsTheLikeliestTokensWithTheChosenTokensLogProbability() {
        float[] logits = {0.5f, 2.0f, 2.0f, -1.0f, 1.0f};
        int[] ids = new int[3];
        float[] logProbs = new float[3];
        assertThat(TokenSampler.top(logits, 0, logits.length, 3, ids, logProbs)).isEqualTo(3);
        // Ties keep the lower id first; each figure is exactly what logProbability gives for that token.
        assertThat(ids).containsExactly(1, 2, 4);
        for (int i = 0; i < 3; i++) {
            assertThat(logProbs[i]).isEqualTo(TokenSampler.logProbability(logits, 0, logits.length, ids[i]));
        }
        double[] softmax = softmax(logits, 1.0);
        assertThat(Math.exp(logProbs[2])).isCloseTo(softmax[4], within(1e-6));
        int[] all = new int[9];
        assertThat(TokenSampler.top(logits, 0, logits.length, 9, all, new float[9])).isEqualTo(5);
        assertThat(all).startsWith(1, 2, 4, 0, 3);
        assertThat(TokenSampler.top(logits, 0, logits.length, 0, ids, logProbs)).isZero();
    }

    @Test
    void topKAndTopPKeepOnlyTheLikeliestTokens() {
        double[] topTwo = frequencies(new GenerationOptions(1.0, 1, 2, 10, 4));
        double[] full = softmax(LOGITS, 1.0);
        assertThat(topTwo[2] + topTwo[3] + topTwo[4]).isZero();
        assertThat(topTwo[0]).isCloseTo(full[0] / (full[0] + full[1]), within(0.005));
        // Token 0 holds 46% of the mass: top-p 0.4 keeps it alone, 0.6 adds token 1.
        assertThat(frequencies(new GenerationOptions(1.0, 0.4, 0, 10, 5))[0]).isEqualTo(1.0);
        double[] nucleus = frequencies(new GenerationOptions(1.0, 0.6, 0, 10, 6));
        assertThat(nucleus[0] + nucleus[1]).isEqualTo(1.0);
    }

    @Test
    void drawingFromTheTopKDrawsExactlyWhatTheFullRowDraws() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        int vocabulary = 500;
        for (GenerationOptions options : java.util.List.of(new GenerationOptions(0.7, 1, 20, 10, 1),
                new GenerationOptions(1.3, 0.9, 40, 10, 2), new GenerationOptions(0.6, 0.95, 20, 10, 3),
                GenerationOptions.greedy(10))) {
            float[] logits = new float[vocabulary];
            for (int i = 0; i < vocabulary; i++) {
                // Coarse values, so that ties (broken by the lower id on both paths) happen.
                logits[i] = (float) Math.round(random.nextGaussian() * 8) / 4;
            }
            int k = Math.max(1, options.topK());
            int[] ids = new int[k];
            float[] topLogits = new float[k];
            TokenSampler.top(logits, 0, vocabulary, k, ids, new float[k]);
            for (int i = 0; i < k; i++) {
                topLogits[i] = logits[ids[i]];
            }
            Decoder.Top top = new Decoder.Top(k, topLogits, ids, new float[1]);
            TokenSampler full = new TokenSampler(options, 0, vocabulary);
            TokenSampler fromTop = new TokenSampler(options, 0, vocabulary);
            for (int draw = 0; draw < 2_000; draw++) {
                assertThat(fromTop.next(top, 0)).as("%s draw %d", options, draw).isEqualTo(full.next(logits, 0));
            }
        }
    }

    @Test
    void greedyTakesTheFirstLargestAndLogProbsAreAtTemperatureOne() {
        TokenSampler greedy = new TokenSampler(GenerationOptions.greedy(1), 0, 3);
        assertThat(greedy.next(new float[] {1f, 3f, 3f}, 0)).isEqualTo(1);
        double[] full = softmax(LOGITS, 1.0);
        assertThat(TokenSampler.logProbability(LOGITS, 0, LOGITS.length, 2)).isCloseTo((float) Math.log(full[2]),
                within(1e-6f));
    }

    private static double[] frequencies(GenerationOptions options) {
        TokenSampler sampler = new TokenSampler(options, 0, LOGITS.length);
        double[] counts = new double[LOGITS.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.next(LOGITS, 0)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    private static double[] softmax(float[] logits, double temperature) {
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp(logits[i] / temperature);
            total += weights[i];
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= total;
        }
        return weights;
    }
}
