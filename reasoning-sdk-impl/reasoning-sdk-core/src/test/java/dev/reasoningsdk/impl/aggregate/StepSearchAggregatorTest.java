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
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
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
    void aSearchWhoseFinishedChainsStateNoAnswerStopsAsAnAggregationWithoutAParseableAnswerDoes() {
        StepSearch search = StepSearch.builder().model(new ArithmeticChainModel(3, 0))
                .extractor(response -> Optional.empty()).build();
        StepSearchResult searched = search.solve(QUESTION);
        AggregationResult solved = search.asAggregator().solve(QUESTION);

        assertThat(searched.complete()).isTrue();
        assertThat(searched.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(searched.unparseableChains()).isEqualTo(1);
        assertThat(solved.answer()).isEmpty();
        assertThat(solved.unparseableChains()).isEqualTo(1);
        assertThat(solved.stopReason()).isEqualTo(StopReason.NO_ANSWER);
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
    void cancellingSolveAsyncStopsTheSearchAfterTheCallInFlight() throws InterruptedException {
        ArithmeticChainModel uncancelled = new ArithmeticChainModel(3, 0);
        StepSearch.builder().model(uncancelled).build().solve(QUESTION);
        ArithmeticChainModel chains = new ArithmeticChainModel(3, 0);
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Thread> searchThread = new AtomicReference<>();
        StepSearch search = StepSearch.builder().model(new HeldFirstCall(chains, inFlight, release, searchThread))
                .build();

        CompletableFuture<AggregationResult> future = search.asAggregator().solveAsync(QUESTION);
        inFlight.await();
        assertThat(future.cancel(true)).isTrue();
        release.countDown();
        // The held call ran on the search's thread: once that thread ends, the search has stopped or run to its end.
        searchThread.get().join();

        // The call in flight ran to its end; the search made none after it, where a whole search makes several.
        assertThat(uncancelled.calls.get()).isGreaterThan(1);
        assertThat(chains.calls).hasValue(1);
        assertThat(future).isCancelled();
    }

    /** A model whose first call waits, once it has begun, until the test releases it. */
    private static final class HeldFirstCall extends ForwardingCausalLanguageModel {
        private final CountDownLatch inFlight;
        private final CountDownLatch release;
        private final AtomicReference<Thread> caller;

        HeldFirstCall(CausalLanguageModel delegate, CountDownLatch inFlight, CountDownLatch release,
                      AtomicReference<Thread> caller) {
            super(delegate);
            this.inFlight = inFlight;
            this.release = release;
            this.caller = caller;
        }

        @Override
        public List<Generation> generate(String prompt, int count, GenerationOptions options) {
            if (inFlight.getCount() > 0) {
                caller.set(Thread.currentThread());
                inFlight.countDown();
                try {
                    release.await();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.generate(prompt, count, options);
        }
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
