package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ScoredChain;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link StepSearch#asAggregator()} and the vote a search reports, on a fake reasoner. */
class StepSearchAggregatorTest {

    private static final String QUESTION = "Double 1, 2 and 3.";
    private static final String RIGHT = "1*2=2. 2*2=4. 3*2=6. The answer is 6.";
    private static final String WRONG_LAST = "1*2=2. 2*2=4. 3*2=7. The answer is 7.";

    @Test
    void solvingAsAnAggregatorGivesTheSearchsOwnVoteWithItsCost() {
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            StepSearch.Builder builder = StepSearch.builder().model(new ArithmeticChainModel(3, 0.4))
                    .strategy(strategy);
            // Several finished chains to vote: a wide beam, or three chains for the others.
            StepSearch search = (strategy == StepSearch.Strategy.BEAM ? builder.beamWidth(3)
                    : builder.samples(3).maxExpansionsPerStep(8).acceptReward(0.5)).build();
            StepSearchResult searched = search.solve(QUESTION);
            Aggregator aggregator = search.asAggregator();
            AggregationResult solved = aggregator.solve(QUESTION);

            assertThat(aggregator.name()).isEqualTo(search.name());
            assertThat(solved.method()).isEqualTo(search.name());
            assertThat(solved.answer()).as(strategy.name()).isEqualTo(searched.answer()).contains("6");
            assertThat(solved.groups()).isEqualTo(searched.groups()).isNotEmpty();
            assertThat(solved.stopReason()).isEqualTo(searched.stopReason());
            assertThat(solved.usage().modelCalls()).isEqualTo(searched.usage().modelCalls());
            assertThat(solved.generatedTokens()).isEqualTo(searched.generatedTokens());
            // The path reported is the best chain of the winning group, and every chain weighs exp(-penalty).
            AnswerGroup winner = solved.groups().get(0);
            assertThat(winner.chains().get(0).chain().text().strip()).isEqualTo(searched.chain());
            for (AnswerGroup group : solved.groups()) {
                assertThat(group.score()).isCloseTo(group.chains().stream()
                        .mapToDouble(c -> c.chain().weight()).sum(), org.assertj.core.data.Offset.offset(1e-12));
                group.chains().forEach(c -> assertThat(c.chain().weight()).isBetween(0.0, 1.0));
            }
            double runnerUp = solved.groups().size() > 1 ? solved.groups().get(1).score() : 0;
            assertThat(solved.margin()).isCloseTo(winner.score() - runnerUp,
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void aSearchThatFinishedNoChainReportsNoVoteAndNoAnswerAsAnAggregation() {
        StepSearch search = StepSearch.builder().model(new ArithmeticChainModel(3, 0)).maxTokens(5).build();
        StepSearchResult searched = search.solve(QUESTION);
        AggregationResult solved = search.asAggregator().solve(QUESTION);

        assertThat(searched.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(searched.groups()).isEmpty();
        assertThat(solved.answer()).isEmpty();
        assertThat(solved.groups()).isEmpty();
        assertThat(solved.margin()).isZero();
        assertThat(solved.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(solved.generatedTokens()).isEqualTo(5);
    }

    @Test
    void aggregatingGivenChainsWeighsEachByItsStepsSoOneCleanChainOutvotesTwoWithAWrongStep() {
        StepSearch search = StepSearch.builder().model(new ArithmeticChainModel(3, 0)).build();
        List<ReasoningChain> chains = List.of(ReasoningChain.of(WRONG_LAST, "a"), ReasoningChain.of(RIGHT, "b"),
                ReasoningChain.of(WRONG_LAST, "c"));

        AggregationResult byReward = search.asAggregator().aggregate(QUESTION, chains);
        AggregationResult majority = MajorityVote.of(AnswerExtractors.numeric()).aggregate(QUESTION, chains);

        assertThat(majority.answer()).contains("7");
        assertThat(byReward.answer()).contains("6");
        assertThat(byReward.method()).isEqualTo("step_search_best_first");
        // 10 for the chain without a wrong step, 10 exp(-1) for each chain with one.
        assertThat(byReward.groups()).extracting(AnswerGroup::score).containsExactly(10.0,
                2 * 10 * Math.exp(-1));
        assertThat(byReward.groups().get(1).chains()).extracting(ScoredChain::localScore)
                .allSatisfy(score -> assertThat(score.getAsDouble()).isCloseTo(10 * Math.exp(-1),
                        org.assertj.core.data.Offset.offset(1e-12)));
        assertThat(byReward.usage().modelCalls()).isZero();
        assertThat(byReward.usage().samples()).isZero();
    }

    @Test
    void aResultWhoseAnswerIsNotItsFirstGroupsIsRefused() {
        AnswerGroup six = new AnswerGroup("6", List.of(new ScoredChain(0, ReasoningChain.of(RIGHT, "s"), "6",
                java.util.OptionalDouble.empty())), 1, List.of());

        assertThatThrownBy(() -> new StepSearchResult("step_search_beam", Optional.of("7"), List.of(), true, 1,
                StopReason.COMPLETED, Usage.NONE, Usage.NONE, 0, 0L, List.of(six), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first group");
        assertThatThrownBy(() -> new StepSearchResult("step_search_beam", Optional.of("6"), List.of(), true, 1,
                StopReason.COMPLETED, Usage.NONE, Usage.NONE, 0, 0L, List.of(six), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unparseableChains");
    }
}
