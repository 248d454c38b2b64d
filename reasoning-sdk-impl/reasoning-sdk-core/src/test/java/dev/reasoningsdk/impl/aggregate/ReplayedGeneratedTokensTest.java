package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One rule for {@link AggregationResult#generatedTokens()} across methods: a reply an LM-call cache replayed counts
 * the tokens it was recorded with, while the usage counts it as a cache hit and no tokens. Before, majority and AoR
 * reported the usage's 0 on a replayed run and a step search the recorded tokens.
 */
class ReplayedGeneratedTokensTest {

    /** Tokens each recorded sample was generated with, and a cut-off one's. */
    private static final long SAMPLE_TOKENS = 20;
    private static final long CUT_OFF_TOKENS = 30;

    /**
     * A sampler replaying recorded replies, as {@code ChatModelSampler} over a cache does: every reply a cache hit,
     * the batch's usage without tokens, each sample (and the last, cut off at the token limit) carrying its recorded
     * tokens.
     */
    private static final class ReplayingSampler implements ChainSampler {
        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            List<SampleBatch.Sample> samples = new ArrayList<>();
            for (int i = 0; i < count - 1; i++) {
                samples.add(new SampleBatch.Sample(i, "4 - 1 = 3. The answer is 3.", 10, SAMPLE_TOKENS, 1));
            }
            List<SampleBatch.SampleFailure> cutOff = List.of(new SampleBatch.SampleFailure(count - 1,
                    SampleBatch.FailureKind.TRUNCATED, "cut off at the token limit", 1, 10, CUT_OFF_TOKENS));
            Usage replayed = new Usage(samples.size(), 0, 0, 0, 0, Duration.ZERO, count, Map.of());
            return new SampleBatch(count, samples, cutOff, StopReason.COMPLETED, replayed);
        }

        @Override
        public String name() {
            return "replaying";
        }
    }

    private static long recorded(int samples) {
        return (samples - 1) * SAMPLE_TOKENS + CUT_OFF_TOKENS;
    }

    @Test
    void majorityReportsTheRecordedTokensOfAReplayedDraw() {
        AggregationResult result = MajorityVote.builder().extractor(AnswerExtractors.numeric())
                .sampler(new ReplayingSampler(), 0.8).samples(5).build().solve("Ana has 4 shells and loses 1.");

        assertThat(result.usage().outputTokens()).isZero();
        assertThat(result.usage().cacheHits()).isEqualTo(5);
        assertThat(result.generatedTokens()).isEqualTo(recorded(5));
    }

    @Test
    void aorReportsTheRecordedTokensOfAReplayedDraw() {
        AggregationResult result = AggregationOfReasoning.builder().extractor(AnswerExtractors.numeric())
                .scorer(ArithmeticVerifier.builder().build()).sampler(new ReplayingSampler(), 0.8)
                .initialSamples(4).maxSamples(8).build().solve("Ana has 4 shells and loses 1.");

        assertThat(result.usage().outputTokens()).isZero();
        assertThat(result.generatedTokens()).isEqualTo(recorded(4));
    }

    @Test
    void aStepSearchAsAnAggregationKeepsTheRecordedTokens() {
        Usage replayed = new Usage(1, 0, 0, 0, 0, Duration.ZERO, 6, Map.of());
        StepSearchResult search = new StepSearchResult("step_search_beam", Optional.empty(), List.of(), false, 6,
                StopReason.NO_ANSWER, replayed, Usage.NONE, 0, 96);

        assertThat(search.toAggregationResult().generatedTokens()).isEqualTo(96);
    }

    @Test
    void withoutACacheTheGeneratedTokensAreTheUsages() {
        AggregationResult result = MajorityVote.builder().extractor(AnswerExtractors.numeric())
                .sampler(new ScriptedSampler(List.of("The answer is 3.")), 0.8).samples(3).build().solve("Q?");

        assertThat(result.generatedTokens()).isEqualTo(result.usage().outputTokens()).isEqualTo(60);
    }
}
