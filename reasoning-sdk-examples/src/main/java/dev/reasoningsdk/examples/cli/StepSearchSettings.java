package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.StepSearch;

/**
 * The step searches {@code bench aggregate --live} runs, in one place so the report's notes say what ran. Settings
 * were chosen on a training split only: 60 of the 400 eval problems that the default live selection of 200 leaves
 * out (best-first: 4 tries per step gave 0.833, 16 gave 0.933 at 89 generated tokens per problem; voting over 3
 * chains did not help, 0.917 at 253; beam: width 2 with 2, 3 or 6 children 0.817, 0.817, 0.900 at 145, 235 and 500
 * tokens, width 1 with 4 children 0.833), never on the problems the bench reports.
 */
final class StepSearchSettings {

    /** Tokens per expansion: about one step of the tiny reasoner's chains. */
    static final int STEP_TOKENS = 16;
    /** The token budget of one search. */
    static final long MAX_TOKENS = 1024;
    static final int BEAM_WIDTH = 2;
    static final int BEAM_EXPANSIONS = 2;
    static final int BEST_FIRST_MAX_EXPANSIONS = 16;
    static final double TEMPERATURE = 0.8;

    private StepSearchSettings() {
    }

    static StepSearch beam(CausalLanguageModel model, int stepTokens, long maxTokens) {
        return StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEAM).beamWidth(BEAM_WIDTH)
                .expansionsPerStep(BEAM_EXPANSIONS).stepTokens(stepTokens).maxTokens(maxTokens)
                .temperature(TEMPERATURE).build();
    }

    static StepSearch bestFirst(CausalLanguageModel model, int stepTokens, long maxTokens) {
        return StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEST_FIRST)
                .maxExpansionsPerStep(BEST_FIRST_MAX_EXPANSIONS).stepTokens(stepTokens).maxTokens(maxTokens)
                .temperature(TEMPERATURE).build();
    }

    /**
     * Best-first search with {@link #bestFirst}'s settings, scored by {@code reward} (the learned process reward,
     * {@link HiddenStateStepReward#tinyReasoner}, whose head was trained on the rows the default selection leaves
     * out).
     */
    static StepSearch bestFirstLearned(CausalLanguageModel model, ProcessReward reward, int stepTokens,
                                       long maxTokens) {
        return StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEST_FIRST).reward(reward)
                .maxExpansionsPerStep(BEST_FIRST_MAX_EXPANSIONS).stepTokens(stepTokens).maxTokens(maxTokens)
                .temperature(TEMPERATURE).build();
    }

    /** What {@link #bestFirstLearned} adds, for the report's notes. */
    static String describeLearned(HiddenStateStepReward.Weights head) {
        return "best_first_learned: best_first scored by the learned process reward (hidden-state head of "
                + head.modelId() + ", layer " + head.layer() + ", " + head.provenance().labels() + " labels, mapping "
                + head.provenance().mapping() + ", combined with the arithmetic reward by "
                + head.provenance().combination() + "); reward_forward_passes and reward_prefill_tokens: the head's "
                + "prefill passes and their prompt tokens per problem (no generated tokens), search_prefill_tokens: "
                + "the prompt tokens of the search's own generate calls, for comparison";
    }

    static String describe(int stepTokens, long maxTokens) {
        return "arithmetic process reward, temperature " + TEMPERATURE + ", " + stepTokens + " tokens per "
                + "expansion, budget " + maxTokens + " generated tokens per problem; beam: width " + BEAM_WIDTH
                + ", " + BEAM_EXPANSIONS + " children per chain; best_first: 1 child per expansion, each chain "
                + "expanded at most " + BEST_FIRST_MAX_EXPANSIONS + " times; seed 0";
    }
}
