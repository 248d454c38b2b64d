package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.List;
import org.junit.jupiter.api.Test;

class VoteTest {

    private static List<ReasoningChain> chains(String... texts) {
        return java.util.Arrays.stream(texts).map(ReasoningChain::of).toList();
    }

    @Test
    void majorityGroupsEquivalentNumbersAndCountsUnparseableChains() {
        AggregationResult result = MajorityVote.of(AnswerExtractors.numeric()).aggregate("q",
                chains("The answer is 7.", "#### 1,200.00", "A: $1200", "no idea", "The answer is 1200."));

        assertThat(result.answer()).contains("1200");
        assertThat(result.groups()).hasSize(2);
        assertThat(result.groups().get(0).votes()).isEqualTo(3);
        assertThat(result.groups().get(0).chains()).extracting(c -> c.index()).containsExactly(1, 2, 4);
        assertThat(result.margin()).isEqualTo(2.0);
        assertThat(result.unparseableChains()).isEqualTo(1);
        assertThat(result.totalChains()).isEqualTo(5);
        assertThat(result.stopReason()).isEqualTo(StopReason.GIVEN_CHAINS_ONLY);
        assertThat(result.usage().modelCalls()).isZero();
    }

    @Test
    void majorityTieGoesToTheAnswerSeenFirst() {
        AggregationResult result = MajorityVote.of(AnswerExtractors.numeric()).aggregate("q",
                chains("A: 5", "A: 3", "A: 3", "A: 5"));
        assertThat(result.answer()).contains("5");
        assertThat(result.margin()).isZero();
    }

    @Test
    void noParseableAnswerGivesNoAnswer() {
        AggregationResult result = MajorityVote.of(AnswerExtractors.numeric()).aggregate("q", chains("hmm", "?"));
        assertThat(result.answer()).isEmpty();
        assertThat(result.stopReason()).isEqualTo(StopReason.NO_ANSWER);
        assertThat(result.unparseableChains()).isEqualTo(2);
    }

    @Test
    void majoritySolveSamplesTheConfiguredNumberWithTheFormattedPrompt() {
        ScriptedSampler sampler = new ScriptedSampler(List.of("A: 1", "A: 2", "A: 2"));
        MajorityVote vote = MajorityVote.builder().extractor(AnswerExtractors.numeric()).sampler(sampler, 0.8)
                .samples(6).seed(0).promptFormat(q -> "Q: " + q + "\nA:").build();

        AggregationResult result = vote.solve("two?");

        assertThat(result.answer()).contains("2");
        assertThat(result.usage().samples()).isEqualTo(6);
        assertThat(result.stopReason()).isEqualTo(StopReason.MAX_SAMPLES_REACHED);
        assertThat(sampler.prompts).containsExactly("Q: two?\nA:");
    }

    @Test
    void solveWithoutSamplerIsAConfigurationError() {
        assertThatThrownBy(() -> MajorityVote.of(AnswerExtractors.numeric()).solve("q"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MajorityVote.of(AnswerExtractors.numeric()).aggregate("q", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MajorityVote.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MajorityVote.builder().samples(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MajorityVote.builder().sampler(new ScriptedSampler(List.of()), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void weightedVoteUsesCallerWeights() {
        List<ReasoningChain> chains = List.of(new ReasoningChain("A: 1", "small", 1), new ReasoningChain("A: 1",
                "small", 1), new ReasoningChain("A: 2", "large", 3));
        AggregationResult result = WeightedVote.byChainWeight(AnswerExtractors.numeric()).aggregate("q", chains);
        assertThat(result.answer()).contains("2");
        assertThat(result.groups().get(0).score()).isEqualTo(3.0);
        assertThat(result.margin()).isEqualTo(1.0);
    }

    @Test
    void weightedTieGoesToMoreVotesThenFirstSeen() {
        List<ReasoningChain> chains = List.of(new ReasoningChain("A: 1", "", 2), new ReasoningChain("A: 2", "", 1),
                new ReasoningChain("A: 2", "", 1));
        assertThat(WeightedVote.byChainWeight(AnswerExtractors.numeric()).aggregate("q", chains).answer())
                .contains("2");
    }

    @Test
    void weightedVoteCanWeighByAScorerAndReportsItsCost() {
        WeightedVote vote = WeightedVote.builder().extractor(AnswerExtractors.numeric())
                .scorer(ArithmeticVerifier.create()).build();
        AggregationResult result = vote.aggregate("q", chains("2+2=5. The answer is 5.", "2+2=5. The answer is 5.",
                "2+2=4. The answer is 4."));
        assertThat(result.answer()).contains("4");
        assertThat(result.groups().get(0).chains().get(0).localScore()).hasValue(10.0);
    }

    @Test
    void weightedVoteRejectsBadWeightsAndConflictingSettings() {
        WeightedVote vote = WeightedVote.builder().extractor(AnswerExtractors.numeric())
                .weight((q, c) -> -1).build();
        assertThatThrownBy(() -> vote.aggregate("q", chains("A: 1"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> WeightedVote.builder().extractor(AnswerExtractors.numeric())
                .weight(ChainWeight.callerWeight()).scorer(ArithmeticVerifier.create()).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void weightedVoteRefusesFiniteWeightsWhoseSumOverflows() {
        WeightedVote vote = WeightedVote.builder().extractor(AnswerExtractors.numeric())
                .weight((q, c) -> Double.MAX_VALUE).build();
        // One chain per answer is a finite score; two for one answer add up to infinity, which ranks nothing.
        assertThat(vote.aggregate("q", chains("A: 1", "A: 2")).groups()).hasSize(2);
        assertThatThrownBy(() -> vote.aggregate("q", chains("A: 1", "A: 1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the weights of the chains answering '1' add up past Double.MAX_VALUE");
    }
}
