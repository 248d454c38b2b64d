package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LikelihoodChainScorerTest {

    /** Every token of a continuation has the log-probability given by its length class; '#' is unreadable. */
    private static final class FakeModel implements CausalLanguageModel {
        final List<String> seen = new ArrayList<>();

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            return List.of();
        }

        @Override
        public float[] continuationLogProbs(String prompt, String continuation) {
            seen.add(prompt + "|" + continuation);
            if (continuation.contains("#")) {
                throw new IllegalArgumentException("'#' is outside the vocabulary");
            }
            float[] logProbs = new float[continuation.length()];
            java.util.Arrays.fill(logProbs, continuation.contains("bad") ? -0.5f : -0.01f);
            return logProbs;
        }

        @Override
        public float[] promptHiddenState(String prompt) {
            return new float[0];
        }

        @Override
        public int contextLength() {
            return 320;
        }

        @Override
        public String modelId() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void mapsTheMeanLogProbabilityMonotonicallyOntoZeroToTen() {
        LikelihoodChainScorer scorer = LikelihoodChainScorer.of(new FakeModel());
        assertThat(scorer.score(0)).isEqualTo(10.0);
        assertThat(scorer.score(Math.log(0.95))).isBetween(5.9, 6.1);
        assertThat(scorer.score(-0.05)).isGreaterThan(scorer.score(-0.06));
        assertThat(scorer.score(-1000)).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void scoresChainsAfterTheFormattedPromptAndCountsUnreadableOnes() {
        FakeModel model = new FakeModel();
        LikelihoodChainScorer scorer = LikelihoodChainScorer.of(model);

        ChainScorer.Scores scores = scorer.scoreGlobally("q?", List.of(ReasoningChain.of("good"),
                ReasoningChain.of("bad"), ReasoningChain.of("#"), ReasoningChain.of("")));

        assertThat(model.seen.get(0)).isEqualTo("Q: q?\nA:| good");
        assertThat(scores.scores().get(0)).isGreaterThan(scores.scores().get(1));
        assertThat(scores.scores().get(2)).isNaN();
        assertThat(scores.failures()).isEqualTo(1);
        assertThat(scores.usage().modelCalls()).isEqualTo(4);
        assertThat(scores.usage().failedCalls()).isEqualTo(1);
    }

    private static ReasoningChain sampled(String text, double... logProbs) {
        return new ReasoningChain(text, "served", 1,
                java.util.Arrays.stream(logProbs).mapToObj(lp -> TokenLogProb.of("x", lp)).toList());
    }

    @Test
    void sampledLogProbsAreScoredWithoutAModelAndChainsWithoutThemAreCounted() {
        LikelihoodChainScorer scorer = LikelihoodChainScorer.fromSampledLogProbs();

        ChainScorer.Scores scores = scorer.scoreLocally("q?", List.of(sampled("a", -0.01, -0.03),
                ReasoningChain.of("no log-probs", "served"), sampled("b", -0.5)), List.of());

        assertThat(scores.scores().get(0)).isCloseTo(scorer.score(-0.02), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(scores.scores().get(1)).isNaN();
        assertThat(scores.scores().get(2)).isEqualTo(scorer.score(-0.5));
        assertThat(scores.failures()).isEqualTo(1);
        // No model was called: the missing chain is unscored, not a failed call.
        assertThat(scores.usage().modelCalls()).isZero();
        assertThat(scores.usage().failedCalls()).isZero();
        assertThat(scores.usage().tokensKnown()).isTrue();
    }

    @Test
    void chainsWithoutAnyLogProbsAreRefusedRatherThanLeftAllUnscored() {
        assertThatThrownBy(() -> LikelihoodChainScorer.fromSampledLogProbs().scoreGlobally("q?",
                List.of(ReasoningChain.of("a", "gpt-x"), ReasoningChain.of("b", "gpt-x"))))
                .isInstanceOf(LogProbsUnavailableException.class)
                .hasMessageContaining("gpt-x returned no token log-probabilities on its 2 sampled chains");
        assertThatThrownBy(() -> LikelihoodChainScorer.fromSampledLogProbs().meanLogProb("q?", "a"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withBothTheChainsOwnLogProbsComeFirstAndTheModelScoresTheRest() {
        FakeModel model = new FakeModel();
        LikelihoodChainScorer scorer = LikelihoodChainScorer.builder().model(model).sampledLogProbs(true).build();

        ChainScorer.Scores scores = scorer.scoreGlobally("q?", List.of(sampled("bad", -0.001),
                ReasoningChain.of("good")));

        assertThat(scores.scores().get(0)).isEqualTo(scorer.score(-0.001));
        assertThat(scores.scores().get(1)).isEqualTo(scorer.score(-0.01f));
        assertThat(model.seen).containsExactly("Q: q?\nA:| good");
        assertThat(scores.usage().modelCalls()).isEqualTo(1);
    }

    @Test
    void builderValidates() {
        assertThatThrownBy(() -> LikelihoodChainScorer.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> LikelihoodChainScorer.builder().sharpness(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
