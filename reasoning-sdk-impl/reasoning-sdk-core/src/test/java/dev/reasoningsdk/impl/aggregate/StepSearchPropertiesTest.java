package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.StopReason;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The token budget of {@link StepSearch} holds exactly, whatever the budget, strategy, step size, seed, calculator,
 * restarts, reward (0/1 or continuous), accepted reward and (MCTS) exploration constant.
 */
class StepSearchPropertiesTest {

    @Property(tries = 300)
    void theSearchNeverGeneratesMoreThanItsBudgetAndCountsEveryToken(
            @ForAll @IntRange(min = 1, max = 400) int maxTokens, @ForAll @IntRange(min = 1, max = 24) int stepTokens,
            @ForAll StepSearch.Strategy strategy, @ForAll @IntRange(min = 1, max = 4) int expansions,
            @ForAll @LongRange(min = 0, max = 1000) long seed, @ForAll boolean calculator,
            @ForAll @IntRange(min = 0, max = 3) int restarts, @ForAll @IntRange(min = 1, max = 10) int acceptTenths,
            @ForAll boolean continuous) {
        ArithmeticChainModel model = new ArithmeticChainModel(4, 0.4);
        StepSearch.Builder builder = StepSearch.builder().model(model).maxTokens(maxTokens).stepTokens(stepTokens)
                .seed(seed).calculator(calculator).strategy(strategy);
        if (continuous) {
            builder.reward(new ContinuousStepReward());
        }
        switch (strategy) {
            case BEAM -> builder.beamWidth(2).expansionsPerStep(expansions);
            case BEST_FIRST -> builder.expansionsPerStep(expansions).samples(2).maxRestarts(restarts)
                    .agreement(1 + restarts % 2).acceptReward(acceptTenths / 10.0);
            // MCTS adds one child per visit; expansions bounds the children of a chain.
            case MCTS -> builder.maxExpansionsPerStep(expansions).samples(2 + restarts).agreement(1 + restarts % 2)
                    .acceptReward(acceptTenths / 10.0).explorationConstant(acceptTenths / 5.0);
        }
        StepSearchResult result = builder.build().solve("Double 1, 2, 3 and 4.");

        assertThat(result.generatedTokens()).isLessThanOrEqualTo(maxTokens)
                .isEqualTo(model.generatedTokens.get());
        assertThat(result.usage().modelCalls()).isEqualTo((int) model.calls.get());
        if (result.stopReason() == StopReason.BUDGET_EXHAUSTED) {
            // It stops only when what is left cannot pay for the rest of a step.
            assertThat(maxTokens - result.generatedTokens()).isLessThan(" 4*2=8. The answer is 8.".length());
        }
    }
}
