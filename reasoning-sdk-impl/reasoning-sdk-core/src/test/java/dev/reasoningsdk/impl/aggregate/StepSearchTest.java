package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.fixtures.ForwardingCausalLanguageModel;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Control flow of {@link StepSearch} on a fake reasoner (the real model runs in the onnx module's tests). */
class StepSearchTest {

    private static final String QUESTION = "Double 1, 2 and 3.";

    @Test
    void bestFirstRetriesAWrongStepAndFinishesWithEveryStepRight() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0.5);
        StepSearchResult result = StepSearch.builder().model(model).maxExpansionsPerStep(8).build().solve(QUESTION);

        assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(result.complete()).isTrue();
        assertThat(result.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        assertThat(result.answer()).contains("6");
        assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
        assertThat(result.generatedTokens()).isEqualTo(model.generatedTokens.get());
        assertThat(result.usage().modelCalls()).isEqualTo((int) model.calls.get());
    }

    @Test
    void beamKeepsTheChainsWithoutErrors() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0.3);
        StepSearchResult result = StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM).beamWidth(2)
                .expansionsPerStep(4).build().solve(QUESTION);

        assertThat(result.answer()).contains("6");
        assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
        assertThat(result.generatedTokens()).isEqualTo(model.generatedTokens.get());
        assertThat(result.method()).isEqualTo("step_search_beam");
    }

    @Test
    void mctsFindsChainsWithEveryStepRightAndStopsWhenTwoAgree() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0.5);
        StepSearchResult result = StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS).build()
                .solve(QUESTION);

        assertThat(result.method()).isEqualTo("step_search_mcts");
        assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(result.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
        assertThat(result.generatedTokens()).isEqualTo(model.generatedTokens.get());
        assertThat(result.usage().modelCalls()).isEqualTo((int) model.calls.get());
        // Its rollouts stop at a wrong step, so every finished chain is right, and two of them end the search.
        assertThat(result.usage().samples()).isEqualTo(2);
    }

    @Test
    void anMctsRolloutsTextIsTheNextExpansionsAndIsNotGeneratedAgain() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0);
        StepSearchResult result = StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS)
                .stepTokens(200).build().solve(QUESTION);

        // Two rollouts from the question (the root takes its children one per visit), each one call that wrote the
        // whole chain: the steps after the first came from its lookahead.
        assertThat(result.usage().modelCalls()).isEqualTo(2);
        assertThat(result.generatedTokens()).isEqualTo(2L * " 1*2=2. 2*2=4. 3*2=6. The answer is 6.".length());
        assertThat(result.expansions()).isEqualTo(2 * 4);
    }

    @Test
    void aBuiltSearchReportsTheSettingsItRunsWithTheStrategysOwnDefaultsIncluded() {
        StepSearch mcts = StepSearch.builder().model(new ArithmeticChainModel(3, 0))
                .strategy(StepSearch.Strategy.MCTS).stepTokens(12).build();
        StepSearch beam = StepSearch.builder().model(new ArithmeticChainModel(3, 0))
                .strategy(StepSearch.Strategy.BEAM).calculator(true).seed(5).build();
        StepSearch bestFirst = StepSearch.builder().model(new ArithmeticChainModel(3, 0)).samples(3).maxRestarts(1)
                .acceptReward(0.5).temperature(0.3).maxTokens(300).build();

        // MCTS's own defaults, where a report used to write them down by hand; no setting of another strategy.
        assertThat(mcts.settings()).containsExactly(entry("strategy", "mcts"), entry("maxExpansionsPerStep", 4),
                entry("stepTokens", 12), entry("maxTokens", 1024L), entry("temperature", 0.8), entry("seed", 0L),
                entry("samples", 8), entry("agreement", 2), entry("acceptReward", 1.0), entry("calculator", false),
                entry("explorationConstant", 1.0));
        assertThat(mcts.settings()).containsEntry("maxExpansionsPerStep",
                StepSearch.DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP).containsEntry("samples",
                StepSearch.DEFAULT_MCTS_SAMPLES).containsEntry("agreement", StepSearch.DEFAULT_MCTS_AGREEMENT)
                .containsEntry("explorationConstant", StepSearch.DEFAULT_EXPLORATION_CONSTANT);
        assertThat(beam.settings()).containsExactly(entry("strategy", "beam"), entry("beamWidth", 2),
                entry("expansionsPerStep", 2), entry("stepTokens", 16), entry("maxTokens", 1024L),
                entry("temperature", 0.8), entry("seed", 5L), entry("calculator", true));
        assertThat(bestFirst.settings()).containsExactly(entry("strategy", "best_first"),
                entry("expansionsPerStep", 1), entry("maxExpansionsPerStep", 16), entry("stepTokens", 16),
                entry("maxTokens", 300L), entry("temperature", 0.3), entry("seed", 0L), entry("samples", 3),
                entry("maxRestarts", 1), entry("agreement", 1), entry("acceptReward", 0.5),
                entry("calculator", false));
        // What it reports is what it runs with: every step right, MCTS stops once its default agreement is reached.
        assertThat(mcts.solve(QUESTION).usage().samples()).isEqualTo(mcts.settings().get("agreement"));
        assertThatThrownBy(() -> mcts.settings().put("seed", 1L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void mctsAgreementAndSamplesBoundTheFinishedChains() {
        StepSearch.Builder mcts = StepSearch.builder().strategy(StepSearch.Strategy.MCTS);
        StepSearchResult three = mcts.model(new ArithmeticChainModel(3, 0)).agreement(3).build().solve(QUESTION);
        StepSearchResult capped = mcts.model(new ArithmeticChainModel(3, 0)).agreement(3).samples(2).build()
                .solve(QUESTION);
        StepSearchResult first = mcts.model(new ArithmeticChainModel(3, 0)).agreement(1).samples(4).build()
                .solve(QUESTION);

        assertThat(three.usage().samples()).isEqualTo(3);
        assertThat(capped.usage().samples()).isEqualTo(2);
        assertThat(first.usage().samples()).isEqualTo(1);
        assertThat(three.answer()).contains("6");
        assertThat(first.generatedTokens()).isLessThan(capped.generatedTokens());
        assertThat(capped.generatedTokens()).isLessThan(three.generatedTokens());
    }

    @Test
    void mctsResamplesARejectedStepAndStillFindsACleanChainWhereMostStepsAreWrong() {
        int doubtful = 0;
        for (long seed = 0; seed < 10; seed++) {
            ArithmeticChainModel model = new ArithmeticChainModel(4, 0.6);
            StepSearchResult result = StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS)
                    .maxExpansionsPerStep(4).seed(seed).build().solve("Double 1, 2, 3 and 4.");
            assertThat(result.generatedTokens()).isEqualTo(model.generatedTokens.get()).isLessThanOrEqualTo(1024);
            if (result.complete()) {
                assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
                assertThat(result.answer()).contains("8");
            }
            // Four right steps come together one time in 40: the clean chains come from resampled steps.
            doubtful += result.complete() ? 0 : 1;
        }
        assertThat(doubtful).isLessThanOrEqualTo(2);
    }

    @Test
    void aStepLongerThanStepTokensIsContinuedAndWhatFollowsItIsReused() {
        ArithmeticChainModel chunked = new ArithmeticChainModel(3, 0);
        StepSearchResult small = StepSearch.builder().model(chunked).stepTokens(3).build().solve(QUESTION);
        ArithmeticChainModel whole = new ArithmeticChainModel(3, 0);
        StepSearchResult large = StepSearch.builder().model(whole).stepTokens(200).build().solve(QUESTION);

        assertThat(small.chain()).isEqualTo(large.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        // With no error nothing is dropped: both generate the chain once, in many calls or in one.
        assertThat(small.generatedTokens()).isEqualTo(large.generatedTokens())
                .isEqualTo(" 1*2=2. 2*2=4. 3*2=6. The answer is 6.".length());
        assertThat(small.usage().modelCalls()).isGreaterThan(large.usage().modelCalls());
        assertThat(large.usage().modelCalls()).isEqualTo(1);
    }

    @Test
    void aSmallBudgetStopsTheSearchWithoutAnswer() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0);
        StepSearchResult result = StepSearch.builder().model(model).maxTokens(10).build().solve(QUESTION);

        assertThat(result.stopReason()).isEqualTo(StopReason.BUDGET_EXHAUSTED);
        assertThat(result.answer()).isEmpty();
        assertThat(result.generatedTokens()).isEqualTo(10).isEqualTo(model.generatedTokens.get());
    }

    @Test
    void theRewardsForwardPassesAreInTheUsageButSpendNoneOfTheTokenBudget() {
        for (StepSearch.Strategy strategy : StepSearch.Strategy.values()) {
            for (long maxTokens : new long[] {24, 1024}) {
                StepSearchResult plain = StepSearch.builder().model(new ArithmeticChainModel(3, 0.5))
                        .strategy(strategy).maxTokens(maxTokens).build().solve(QUESTION);
                CostlyStepReward costly = new CostlyStepReward();
                ArithmeticChainModel model = new ArithmeticChainModel(3, 0.5);
                StepSearchResult result = StepSearch.builder().model(model).reward(costly).strategy(strategy)
                        .maxTokens(maxTokens).build().solve(QUESTION);
                String at = strategy + ", maxTokens " + maxTokens;

                // The same scores, the same search: the passes changed nothing the budget counts.
                assertThat(result.path()).as(at).isEqualTo(plain.path());
                assertThat(result.generatedTokens()).as(at).isEqualTo(plain.generatedTokens())
                        .isEqualTo(model.generatedTokens.get()).isLessThanOrEqualTo(maxTokens);
                int passes = costly.passes.get();
                assertThat(passes).as(at).isPositive();
                assertThat(result.rewardUsage().modelCalls()).as(at).isEqualTo(passes);
                assertThat(result.rewardUsage().inputTokens()).as(at)
                        .isEqualTo((long) passes * CostlyStepReward.TOKENS_PER_PASS);
                assertThat(result.rewardUsage().outputTokens()).as(at).isZero();
                assertThat(result.usage().modelCalls()).as(at)
                        .isEqualTo((int) model.calls.get() + passes).isEqualTo(plain.usage().modelCalls() + passes);
                assertThat(result.usage().inputTokens()).as(at)
                        .isEqualTo(plain.usage().inputTokens() + result.rewardUsage().inputTokens());
                assertThat(plain.rewardUsage()).as(at).isEqualTo(Usage.NONE);
            }
        }
        assertThat(StepSearch.builder().model(new ArithmeticChainModel(3, 0)).maxTokens(10).reward(
                new CostlyStepReward()).build().solve(QUESTION).generatedTokens()).isEqualTo(10);
    }

    @Test
    void aRewardOutsideZeroToOneIsRefusedNamingIt() {
        ProcessReward broken = new ProcessReward() {
            @Override
            public double scoreStep(String question, List<String> steps, boolean complete) {
                return 1.5;
            }

            @Override
            public String name() {
                return "broken";
            }
        };
        assertThatThrownBy(() -> StepSearch.builder().model(new ArithmeticChainModel(3, 0)).reward(broken).build()
                .solve(QUESTION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("process reward broken returned 1.5, outside [0, 1]");
    }

    @Test
    void theSameSeedGivesTheSamePathAndAnotherSeedMayNot() {
        List<String> paths = new java.util.ArrayList<>();
        for (long seed : new long[] {7, 7, 8}) {
            paths.add(pathWithSeed(seed));
        }
        assertThat(paths.get(0)).isEqualTo(paths.get(1));
        // The seed reaches the model: a search that ignored it would give every seed one path, and "the same seed,
        // the same path" would hold for nothing.
        assertThat(java.util.stream.LongStream.range(0, 10).mapToObj(this::pathWithSeed).distinct())
                .hasSizeGreaterThan(1);
    }

    private String pathWithSeed(long seed) {
        return StepSearch.builder().model(new ArithmeticChainModel(5, 0.4)).seed(seed).maxExpansionsPerStep(1).build()
                .solve(QUESTION).path().toString();
    }

    @Test
    void mctsGivesTheSamePathTokensAndExpansionsForTheSameSeed() {
        for (long seed : new long[] {3, 4}) {
            List<StepSearchResult> results = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                results.add(StepSearch.builder().model(new ArithmeticChainModel(5, 0.4)).seed(seed)
                        .strategy(StepSearch.Strategy.MCTS).explorationConstant(0.5).build().solve(QUESTION));
            }
            assertThat(results.get(0).path()).isEqualTo(results.get(1).path());
            assertThat(results.get(0).generatedTokens()).isEqualTo(results.get(1).generatedTokens());
            assertThat(results.get(0).expansions()).isEqualTo(results.get(1).expansions());
        }
    }

    @Test
    void theSameSeedGivesTheSamePathWithAContinuousRewardAndAnAcceptReward() {
        List<StepSearchResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            results.add(StepSearch.builder().model(new ArithmeticChainModel(5, 0.4)).seed(11)
                    .reward(new ContinuousStepReward()).acceptReward(0.7).maxExpansionsPerStep(3).maxRestarts(2)
                    .build().solve(QUESTION));
        }
        assertThat(results.get(0).path()).isEqualTo(results.get(1).path());
        assertThat(results.get(0).generatedTokens()).isEqualTo(results.get(1).generatedTokens());
        assertThat(results.get(0).expansions()).isEqualTo(results.get(1).expansions());
    }

    @Test
    void samplesVoteAmongFinishedChains() {
        ArithmeticChainModel model = new ArithmeticChainModel(2, 0.2);
        StepSearchResult result = StepSearch.builder().model(model).samples(3).build().solve(QUESTION);

        assertThat(result.usage().samples()).isGreaterThanOrEqualTo(3);
        assertThat(result.answer()).contains("4");
    }

    @Test
    void theCalculatorCorrectsEveryWrongResultWithoutCountingItsDigitsAsGenerated() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 1.0);
        StepSearchResult result = StepSearch.builder().model(model).calculator(true).build().solve(QUESTION);
        StepSearchResult without = StepSearch.builder().model(new ArithmeticChainModel(3, 1.0)).build()
                .solve(QUESTION);

        assertThat(result.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        assertThat(result.path()).extracting(StepSearchResult.Step::reward).containsOnly(1.0);
        assertThat(result.generatedTokens()).isEqualTo(model.generatedTokens.get());
        // Every step the fake writes is wrong, so without the calculator no chain can be right.
        assertThat(without.answer()).isNotEqualTo(result.answer());
    }

    @Test
    void aChainHoldingARejectedStepIsSearchedAgainUntilOneHoldsNone() {
        int doubtful = 0;
        for (long seed = 0; seed < 20; seed++) {
            StepSearch.Builder builder = StepSearch.builder().maxExpansionsPerStep(1).seed(seed);
            StepSearchResult once = builder.model(new ArithmeticChainModel(3, 0.5)).build().solve(QUESTION);
            ArithmeticChainModel model = new ArithmeticChainModel(3, 0.5);
            StepSearchResult again = builder.model(model).maxRestarts(6).build().solve(QUESTION);
            assertThat(again.generatedTokens()).isEqualTo(model.generatedTokens.get());
            if (once.path().stream().anyMatch(step -> step.reward() < 1)) {
                doubtful++;
                // The first search is the same (the same seeds); then more follow.
                assertThat(again.generatedTokens()).isGreaterThan(once.generatedTokens());
            } else {
                // A first chain without a rejected step ends the search: a restart costs nothing then.
                assertThat(again.path()).isEqualTo(once.path());
                assertThat(again.generatedTokens()).isEqualTo(once.generatedTokens());
            }
        }
        assertThat(doubtful).isPositive();
    }

    @Test
    void agreementSearchesUntilThatManyCleanChainsGiveOneAnswer() {
        ArithmeticChainModel model = new ArithmeticChainModel(3, 0);
        StepSearchResult two = StepSearch.builder().model(model).agreement(2).maxRestarts(4).build()
                .solve(QUESTION);
        StepSearchResult capped = StepSearch.builder().model(new ArithmeticChainModel(3, 0)).agreement(3)
                .maxRestarts(1).build().solve(QUESTION);

        assertThat(two.usage().samples()).isEqualTo(2);
        assertThat(two.answer()).contains("6");
        assertThat(two.generatedTokens()).isEqualTo(model.generatedTokens.get());
        // Three agreeing chains were asked for, but only one more search was allowed.
        assertThat(capped.usage().samples()).isEqualTo(2);
    }

    @Test
    void anAcceptRewardBelowOneLetsAContinuousRewardCloseTriesAsTheFullRewardDoes() {
        // With the default, a continuous reward accepts no step: every chain is tried at each of its 4 tries.
        ArithmeticChainModel strictModel = new ArithmeticChainModel(3, 0);
        StepSearchResult strict = StepSearch.builder().model(strictModel).reward(new ContinuousStepReward())
                .maxExpansionsPerStep(4).build().solve(QUESTION);
        ArithmeticChainModel acceptingModel = new ArithmeticChainModel(3, 0);
        StepSearchResult accepting = StepSearch.builder().model(acceptingModel).reward(new ContinuousStepReward())
                .maxExpansionsPerStep(4).acceptReward(0.8).build().solve(QUESTION);
        StepSearchResult exact = StepSearch.builder().model(new ArithmeticChainModel(3, 0))
                .maxExpansionsPerStep(4).build().solve(QUESTION);

        assertThat(accepting.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        // Accepted at 0.9, each step is tried once, as the 0/1 reward tries it at its full reward.
        assertThat(accepting.expansions()).isEqualTo(exact.expansions()).isEqualTo(4);
        assertThat(accepting.generatedTokens()).isEqualTo(exact.generatedTokens())
                .isEqualTo(acceptingModel.generatedTokens.get());
        assertThat(strict.expansions()).isGreaterThan(accepting.expansions());
        assertThat(strict.generatedTokens()).isGreaterThan(accepting.generatedTokens())
                .isEqualTo(strictModel.generatedTokens.get());
    }

    @Test
    void anAcceptRewardBelowOneCountsAChainOfAcceptedStepsAsClean() {
        // Without errors every chain is right; whether it ends the restarts depends only on what counts as clean.
        StepSearch.Builder builder = StepSearch.builder().reward(new ContinuousStepReward()).maxExpansionsPerStep(1)
                .maxRestarts(3);
        StepSearchResult strict = builder.model(new ArithmeticChainModel(3, 0)).build().solve(QUESTION);
        StepSearchResult accepting = builder.model(new ArithmeticChainModel(3, 0)).acceptReward(0.85).build()
                .solve(QUESTION);
        StepSearchResult rejecting = builder.model(new ArithmeticChainModel(3, 0)).acceptReward(0.95).build()
                .solve(QUESTION);

        assertThat(accepting.usage().samples()).isEqualTo(1);
        assertThat(strict.usage().samples()).isEqualTo(4);
        assertThat(rejecting.usage().samples()).isEqualTo(4);
        assertThat(accepting.answer()).contains("6");
        assertThat(strict.answer()).contains("6");
    }

    @Test
    void stepsEndAtALineOrASentenceNotAtADecimalPoint() {
        assertThat(StepSearch.stepEnd(" 3.5*2=7. Then")).isEqualTo(" 3.5*2=7.".length());
        assertThat(StepSearch.stepEnd("\n 1+1=2\nnext")).isEqualTo("\n 1+1=2\n".length());
        assertThat(StepSearch.stepEnd(" The answer is 7.")).isEqualTo(-1);
        assertThat(StepSearch.stepEnd("Done! Next")).isEqualTo(5);
    }

    @Test
    void settingsAreCheckedAtOnce() {
        ArithmeticChainModel model = new ArithmeticChainModel(1, 0);
        assertThatThrownBy(() -> StepSearch.builder().maxTokens(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokens must be >= 1, was 0");
        assertThatThrownBy(() -> StepSearch.builder().stepTokens(0)).hasMessageContaining("stepTokens");
        assertThatThrownBy(() -> StepSearch.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> StepSearch.builder().model(model).beamWidth(3).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("beamWidth");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM).samples(2)
                .build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("samples is a setting of best-first and MCTS search, not beam");
        assertThatThrownBy(() -> StepSearch.builder().explorationConstant(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("explorationConstant must be finite and > 0, was 0.0");
        assertThatThrownBy(() -> StepSearch.builder().explorationConstant(Double.NaN))
                .hasMessageContaining("explorationConstant");
        assertThatThrownBy(() -> StepSearch.builder().explorationConstant(Double.POSITIVE_INFINITY))
                .hasMessageContaining("Infinity");
        assertThatThrownBy(() -> StepSearch.builder().model(model).explorationConstant(2).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("explorationConstant is a setting of MCTS search, not best-first");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS).maxRestarts(1)
                .build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("maxRestarts is a setting of best-first search, not MCTS");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS)
                .expansionsPerStep(2).build()).isInstanceOf(IllegalStateException.class)
                .hasMessage("expansionsPerStep is a setting of beam and best-first search, not MCTS");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS).beamWidth(2)
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("beamWidth");
        assertThat(StepSearch.builder().model(model).strategy(StepSearch.Strategy.MCTS).explorationConstant(2)
                .samples(3).agreement(1).acceptReward(0.5).maxExpansionsPerStep(2).build().name())
                .isEqualTo("step_search_mcts");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM).agreement(2)
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("agreement");
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM)
                .maxRestarts(1).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxRestarts");
        assertThatThrownBy(() -> StepSearch.builder().maxRestarts(-1)).hasMessage("maxRestarts must be >= 0, was -1");
        assertThatThrownBy(() -> StepSearch.builder().agreement(0)).hasMessage("agreement must be >= 1, was 0");
        assertThatThrownBy(() -> StepSearch.builder().acceptReward(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acceptReward must be in (0, 1], was 0.0");
        assertThatThrownBy(() -> StepSearch.builder().acceptReward(1.5)).hasMessageContaining("acceptReward");
        assertThatThrownBy(() -> StepSearch.builder().acceptReward(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> StepSearch.builder().acceptReward(Double.POSITIVE_INFINITY))
                .hasMessageContaining("Infinity");
        assertThat(StepSearch.builder().acceptReward(1)).isNotNull();
        assertThatThrownBy(() -> StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM)
                .acceptReward(0.5).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("acceptReward");
    }

    @Test
    void theArithmeticRewardChecksEachStepAndTheFinalAnswer() {
        ArithmeticStepReward reward = ArithmeticStepReward.create();
        assertThat(reward.scoreStep("q", List.of(" 14+7=21."), false)).isEqualTo(1.0);
        assertThat(reward.scoreStep("q", List.of(" 14+7=21.", " 21-5=15."), false)).isEqualTo(0.0);
        assertThat(reward.scoreStep("q", List.of(" 14+7=21.", " The answer is 21."), true)).isEqualTo(1.0);
        assertThat(reward.scoreStep("q", List.of(" 14+7=21.", " The answer is 22."), true)).isEqualTo(0.0);
        assertThat(reward.scoreStep("q", List.of(" First, add."), false)).isEqualTo(1.0);
    }

    /**
     * A model that counts its prompt tokens and finds room for the chain, yet refuses to continue it (here, as it
     * would refuse text it cannot encode): a failed call that ends the chain, not a chain cut off at the context.
     */
    @Test
    void aRefusalOfAChainTheModelCountsAsFittingIsAFailedCallNotAContextCutOff() {
        ArithmeticChainModel arithmetic = new ArithmeticChainModel(3, 0);
        CausalLanguageModel refusingChains = new ForwardingCausalLanguageModel(arithmetic) {
            @Override
            public List<Generation> generate(String prompt, int count, GenerationOptions options) {
                if (!prompt.endsWith("\nA:")) {
                    throw new IllegalArgumentException("a character outside the vocabulary");
                }
                return super.generate(prompt, count, options);
            }

            @Override
            public OptionalInt promptTokenCount(String prompt) {
                return OptionalInt.of(prompt.length());
            }
        };
        StepSearchResult result = StepSearch.builder().model(refusingChains).maxExpansionsPerStep(2).build()
                .solve(QUESTION);

        assertThat(result.contextCutOffs()).isZero();
        assertThat(result.usage().failedCalls()).isPositive();
        assertThat(result.complete()).isFalse();
    }

    /**
     * The fake reasoner, counting its prompt tokens (so that a refusal is a failed call, not the context), refusing
     * the first {@code refused} calls that continue a chain; the question itself it always answers, since a local
     * model that refuses the question's prompt is bad input, thrown to the caller.
     */
    private static CausalLanguageModel refusingChains(ArithmeticChainModel arithmetic, int refused,
                                                      AtomicInteger refusals) {
        return new ForwardingCausalLanguageModel(arithmetic) {
            @Override
            public List<Generation> generate(String prompt, int count, GenerationOptions options) {
                if (!prompt.endsWith("\nA:") && refusals.get() < refused) {
                    refusals.incrementAndGet();
                    throw new IllegalArgumentException("the model failed");
                }
                return super.generate(prompt, count, options);
            }

            @Override
            public OptionalInt promptTokenCount(String prompt) {
                return OptionalInt.of(prompt.length());
            }
        };
    }

    /**
     * With 3 tokens per call the question's first step (" 1*2=2.") needs a second call, and that one fails: the
     * root's first expansion gives no child. Before, MCTS closed the root for good and ended without an answer.
     */
    @Test
    void anMctsChainWhoseCallFailedStaysOpenAndTheSearchAnswers() {
        ArithmeticChainModel arithmetic = new ArithmeticChainModel(3, 0);
        AtomicInteger refusals = new AtomicInteger();
        StepSearchResult result = StepSearch.builder().model(refusingChains(arithmetic, 1, refusals))
                .strategy(StepSearch.Strategy.MCTS).stepTokens(3).build().solve(QUESTION);

        assertThat(refusals.get()).isEqualTo(1);
        assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
        assertThat(result.chain()).isEqualTo("1*2=2. 2*2=4. 3*2=6. The answer is 6.");
        assertThat(result.answer()).contains("6");
        // The failed call is in the usage, beside every call that reached the model; it was no context cut-off.
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 1));
        assertThat(result.usage().modelCalls()).isEqualTo((int) arithmetic.calls.get() + 1);
        assertThat(result.contextCutOffs()).isZero();
        assertThat(result.generatedTokens()).isEqualTo(arithmetic.generatedTokens.get());
    }

    /**
     * A model that fails every call continuing a chain: each try of the question generates its 3 tokens and then
     * fails, and the question's chain has {@code maxExpansionsPerStep} tries, after which nothing can grow. The
     * budget, which the failed calls do not spend, would not have ended it.
     */
    @Test
    void anMctsModelWhoseCallsAlwaysFailEndsTheSearchAfterTheChainsTries() {
        ArithmeticChainModel arithmetic = new ArithmeticChainModel(3, 0);
        AtomicInteger refusals = new AtomicInteger();
        StepSearchResult result = StepSearch.builder().model(refusingChains(arithmetic, Integer.MAX_VALUE, refusals))
                .strategy(StepSearch.Strategy.MCTS).stepTokens(3).maxExpansionsPerStep(3).build().solve(QUESTION);

        assertThat(result.stopReason()).isEqualTo(StopReason.NO_ANSWER);
        assertThat(result.answer()).isEmpty();
        assertThat(result.expansions()).isEqualTo(3);
        assertThat(result.usage().failuresByKind()).isEqualTo(Map.of(CallFailure.CLIENT_ERROR, 3));
        assertThat(refusals.get()).isEqualTo(3);
        assertThat(arithmetic.calls.get()).isEqualTo(3);
        assertThat(result.usage().modelCalls()).isEqualTo(6);
        assertThat(result.generatedTokens()).isEqualTo(3 * 3);
    }
}
