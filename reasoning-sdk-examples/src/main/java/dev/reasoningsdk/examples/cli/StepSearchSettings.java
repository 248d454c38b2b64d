package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.impl.aggregate.ArithmeticStepReward;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The step searches {@code bench aggregate --live} runs, in one place so the report's notes say what ran. Settings
 * were chosen on a training split only, never on the problems the bench reports: eval problems with 3 to 6 steps
 * that the default live selection of 200 leaves out ({@code StepSearchTuning} in the test sources, 120 of them, 30
 * per step count), by the rule "most accurate, then fewest generated tokens".
 *
 * <p>Tuning figures (accuracy, generated tokens per problem). Before: best-first with 16 tries per step 0.867 at
 * 100; beam width 2 with 2 children (an earlier split of 60: 0.817 at 145, width 2 with 6 children 0.900 at 500).
 * The arithmetic reward grounded in the question (an operand must be a number the question states or an earlier
 * result; a finished chain must have used them all and answer its last result) lifted best-first to 0.917 at 124;
 * searching again from the question while every finished chain held a rejected step, 0.925-0.942 at 150-160 (the
 * tiny reasoner repeats its arithmetic slips at every try of a step); a calculator that corrects the stated results
 * of equations, 0.958 at 99 (8 tries per step, up to 4 more searches; without the grounding 0.892 at 73). Searching
 * until two chains without a rejected step agree: 0.967 at 196 (at most 4 or 6 more searches alike; without the
 * calculator 0.925-0.933 at 264-268). Beam with the grounded reward and the calculator: width 2 or 3 with 2
 * children 0.958 at 165, width 2 with 3 children 0.967 at 264.
 *
 * <p>The learned process reward ({@link #bestFirstLearned}; the same 120 problems, 8 tries per step, no grounding or
 * calculator) by {@link StepSearch.Builder#acceptReward}, alone and with best-first's up to 4 more searches until
 * 2 chains without a rejected step agree: 1.0 (the full reward, which it almost never gives) 0.750 at 422; 0.9
 * 0.733 at 357, with the searches 0.733 at 905; 0.7 0.750 at 230, with them 0.775 at 631; 0.5 0.767 at 138, with
 * them 0.808 at 414; 0.3 0.825 at 111, with them 0.858 at 296; 0.1 0.825 at 105, with them 0.850 at 268 (1.0 with
 * the searches was not run: it accepts no chain, so it always runs all five). Chosen: 0.3 with the searches.
 *
 * <p>MCTS ({@link #mcts}; the same 120 problems, the grounded reward and the calculator; k children per chain, at
 * most n finished chains, agreement a, exploration constant c; beam 0.967 at 264 and best-first 0.967 at 196 on the
 * same run): k 3, n 4, a 2, c 1: 0.967 at 184 (six steps 0.867); c 0.5 0.958 at 184; c 2 0.967 at 183; k 2 0.950
 * at 169; k 4 0.967 at 187; n 8 0.975 at 193 (six steps 0.900); n 12 0.975 at 196; n 8 with c 2 0.975 at 191, with
 * k 2 0.975 at 179, with k 6 0.975 at 190, with a 3 0.975 at 269; n 8 with k 4 0.983 at 194 (six steps 0.933), the
 * same with c 2; n 12 with k 4 0.983 at 196. Chosen, as the builder's defaults: k 4, n 8, a 2, c 1.
 */
final class StepSearchSettings {

    /** Tokens per expansion: about one step of the tiny reasoner's chains. */
    static final int STEP_TOKENS = 16;
    /** The token budget of one search. */
    static final long MAX_TOKENS = 1024;
    static final int BEAM_WIDTH = 2;
    static final int BEAM_EXPANSIONS = 3;
    static final int BEST_FIRST_MAX_EXPANSIONS = 8;
    /** More searches from the question best-first may run until two chains without a rejected step agree. */
    static final int BEST_FIRST_MAX_RESTARTS = 4;
    static final int BEST_FIRST_AGREEMENT = 2;
    static final double TEMPERATURE = 0.8;
    /**
     * The least learned reward at which {@link #bestFirstLearned} accepts a step: its head's values are continuous,
     * and the tuning accepted more steps the lower it went, down to 0.3.
     */
    static final double LEARNED_ACCEPT_REWARD = 0.3;

    /** Where a camel-case option name starts a word: before each capital. */
    private static final Pattern SNAKE_CASE = Pattern.compile("(\\p{Lu})");

    private StepSearchSettings() {
    }

    /** The arithmetic process reward, with a step that takes a number the question does not supply rejected. */
    static ArithmeticStepReward reward() {
        return ArithmeticStepReward.builder().groundingFactor(0).build();
    }

    static StepSearch beam(CausalLanguageModel model, int stepTokens, long maxTokens) {
        return beam(StepSearch.builder().model(model), stepTokens, maxTokens);
    }

    /** {@link #beam}'s settings on {@code search}, which names the model: a local one, or a served one. */
    static StepSearch beam(StepSearch.Builder search, int stepTokens, long maxTokens) {
        return search.reward(reward()).calculator(true)
                .strategy(StepSearch.Strategy.BEAM).beamWidth(BEAM_WIDTH)
                .expansionsPerStep(BEAM_EXPANSIONS).stepTokens(stepTokens).maxTokens(maxTokens)
                .temperature(TEMPERATURE).build();
    }

    /**
     * Monte-Carlo tree search with the bench's shared settings (the grounded reward, the calculator, the step size,
     * budget and temperature) and the builder's own MCTS defaults.
     */
    static StepSearch mcts(CausalLanguageModel model, int stepTokens, long maxTokens) {
        return mcts(StepSearch.builder().model(model), stepTokens, maxTokens);
    }

    /** {@link #mcts}'s settings on {@code search}, which names the model: a local one, or a served one. */
    static StepSearch mcts(StepSearch.Builder search, int stepTokens, long maxTokens) {
        return search.reward(reward()).calculator(true).strategy(StepSearch.Strategy.MCTS).stepTokens(stepTokens)
                .maxTokens(maxTokens).temperature(TEMPERATURE).build();
    }

    static StepSearch bestFirst(CausalLanguageModel model, int stepTokens, long maxTokens) {
        return bestFirst(model, stepTokens, maxTokens, true);
    }

    /**
     * {@link #bestFirst}, with the calculator on or off: the bench reports best-first without it too, so that what
     * the search and its reward gain is seen apart from what correcting the model's arithmetic gains (AoR judges the
     * chains as the model wrote them).
     */
    static StepSearch bestFirst(CausalLanguageModel model, int stepTokens, long maxTokens, boolean calculator) {
        return bestFirst(StepSearch.builder().model(model), stepTokens, maxTokens, calculator);
    }

    /**
     * {@link #bestFirst}'s settings on {@code search}, which names the model: a local one, or a served one behind a
     * gateway ({@code best_first_served}, the same search through an OpenAI-compatible server).
     */
    static StepSearch bestFirst(StepSearch.Builder search, int stepTokens, long maxTokens, boolean calculator) {
        return search.reward(reward()).calculator(calculator)
                .strategy(StepSearch.Strategy.BEST_FIRST)
                .maxExpansionsPerStep(BEST_FIRST_MAX_EXPANSIONS).maxRestarts(BEST_FIRST_MAX_RESTARTS)
                .agreement(BEST_FIRST_AGREEMENT).stepTokens(stepTokens).maxTokens(maxTokens)
                .temperature(TEMPERATURE).build();
    }

    /**
     * {@link #bestFirst} over a served model: each row is a call through {@code gateway} that continues the partial
     * chain as a final assistant message ({@link OpenAiChatModels#continuingFinalMessage()}: the row's seed, from
     * {@code seed} on, and vLLM's {@code continue_final_message}, which {@code LocalOpenAiServer} also takes).
     */
    static StepSearch bestFirstServed(ModelGateway gateway, long seed, int stepTokens, long maxTokens) {
        return bestFirst(StepSearch.builder().gateway(gateway).seed(seed)
                .requestParameters(OpenAiChatModels.continuingFinalMessage()), stepTokens, maxTokens, true);
    }

    /**
     * The searches {@code bench aggregate --live} runs on a served model ({@code --provider openai} or
     * {@code ollama}): {@code beam}, {@code best_first}, {@code mcts} and {@code best_first_without_calculator}
     * with the local settings, each row a call through {@code gateway} that continues the partial chain as a final
     * assistant message, its seed (from {@code seed} on) and settings sent by {@code continuing}.
     */
    static Map<String, StepSearch> served(ModelGateway gateway, SampleRequestParameters continuing, long seed,
                                          int stepTokens, long maxTokens) {
        Supplier<StepSearch.Builder> search = () -> servedBuilder(gateway, continuing, seed);
        Map<String, StepSearch> searches = new LinkedHashMap<>();
        searches.put("beam", beam(search.get(), stepTokens, maxTokens));
        searches.put("best_first", bestFirst(search.get(), stepTokens, maxTokens, true));
        searches.put("mcts", mcts(search.get(), stepTokens, maxTokens));
        searches.put("best_first_without_calculator", bestFirst(search.get(), stepTokens, maxTokens, false));
        return searches;
    }

    /**
     * A search over a served model: each row a call through {@code gateway} that continues the partial chain as a
     * final assistant message, its seed (row {@code i} with {@code seed + i}) and settings sent by {@code continuing}
     * ({@link RemoteModel#continuing()}); the strategy's settings are {@link #beam}'s, {@link #bestFirst}'s or
     * {@link #mcts}'s.
     */
    static StepSearch.Builder servedBuilder(ModelGateway gateway, SampleRequestParameters continuing, long seed) {
        return StepSearch.builder().gateway(gateway).seed(seed).requestParameters(continuing);
    }

    /**
     * Best-first search with {@link #bestFirst}'s tries per step and searches again from the question, scored by
     * {@code reward} (the learned process reward, {@link HiddenStateStepReward#tinyReasoner}, whose head was trained
     * on the rows the default selection leaves out), without the grounding and the calculator, which belong to the
     * arithmetic reward. A continuous reward seldom gives the full reward, so a step is accepted (its tries end, and
     * a chain of accepted steps counts as clean) from {@link #LEARNED_ACCEPT_REWARD}, chosen on the tuning problems.
     * Row {@code i} is sampled with seed {@code seed + i}.
     */
    static StepSearch bestFirstLearned(CausalLanguageModel model, ProcessReward reward, long seed, int stepTokens,
                                       long maxTokens) {
        return bestFirstLearnedBuilder(model, reward, stepTokens, maxTokens).seed(seed).build();
    }

    /** {@link #bestFirstLearned}'s builder, for the tuning harness to vary. */
    static StepSearch.Builder bestFirstLearnedBuilder(CausalLanguageModel model, ProcessReward reward, int stepTokens,
                                                      long maxTokens) {
        return StepSearch.builder().model(model).strategy(StepSearch.Strategy.BEST_FIRST).reward(reward)
                .maxExpansionsPerStep(BEST_FIRST_MAX_EXPANSIONS).maxRestarts(BEST_FIRST_MAX_RESTARTS)
                .agreement(BEST_FIRST_AGREEMENT).acceptReward(LEARNED_ACCEPT_REWARD).stepTokens(stepTokens)
                .maxTokens(maxTokens).temperature(TEMPERATURE);
    }

    /** What {@link #bestFirstLearned} adds, for the report's notes. */
    static String describeLearned(HiddenStateStepReward.Weights head) {
        return "best_first_learned: best_first's tries per step and more searches, without grounding or calculator, a "
                + "step accepted from reward " + LEARNED_ACCEPT_REWARD + ", scored by the learned process reward "
                + "(hidden-state head of " + head.modelId() + ", layer " + head.layer() + ", "
                + head.provenance().labels() + " labels, mapping "
                + head.provenance().mapping() + ", combined with the arithmetic reward by "
                + head.provenance().combination() + "); reward_forward_passes and reward_prefill_tokens: the head's "
                + "prefill passes and their prompt tokens per problem (no generated tokens; they are in the search's "
                + "usage and mean_calls too), search_prefill_tokens: the prompt tokens of the search's own generate "
                + "calls, for comparison";
    }

    /**
     * The step searches' part of the report's notes, each search's numbers read from the {@link StepSearch#settings()}
     * it ran with (by name, as {@link #settingsReport} gives them), so that no default is written down twice; a
     * search that is not among them is left out. The step size, budget, temperature and seed are every search's.
     */
    static String describe(Map<String, Map<String, Object>> settings) {
        List<String> parts = new ArrayList<>();
        settings.values().stream().findFirst().ifPresent(any -> parts.add("arithmetic process reward grounded in "
                + "the question (grounding factor 0), calculator on, temperature " + any.get("temperature") + ", "
                + any.get("stepTokens") + " tokens per expansion, budget " + any.get("maxTokens")
                + " generated tokens per problem, seed " + any.get("seed") + "; settings: each search's settings as "
                + "it ran"));
        Map<String, Object> beam = settings.get("beam");
        if (beam != null) {
            parts.add("beam: width " + beam.get("beamWidth") + ", " + beam.get("expansionsPerStep")
                    + " children per chain");
        }
        Map<String, Object> bestFirst = settings.get("best_first");
        if (bestFirst != null) {
            parts.add("best_first: " + bestFirst.get("expansionsPerStep") + " child per expansion, each chain "
                    + "expanded at most " + bestFirst.get("maxExpansionsPerStep") + " times, up to "
                    + bestFirst.get("maxRestarts") + " more searches until " + bestFirst.get("agreement")
                    + " chains without a rejected step agree");
        }
        Map<String, Object> mcts = settings.get("mcts");
        if (mcts != null) {
            parts.add("mcts: Monte-Carlo tree search with UCT (exploration constant "
                    + mcts.get("explorationConstant") + "), one child per visit up to "
                    + mcts.get("maxExpansionsPerStep") + " per chain, each rollout to the end of its chain or to a "
                    + "rejected step, until " + mcts.get("agreement") + " chains without a rejected step agree or "
                    + mcts.get("samples") + " are finished, answered by their vote");
        }
        parts.add("best_first_without_calculator: the same with the calculator off, the model's arithmetic kept as "
                + "written; best_first_served: best_first through LocalOpenAiServer over HTTP on loopback (the OpenAI "
                + "client, the SDK's gateway, one call per row continuing the partial chain); mean_calls: model calls "
                + "per problem, failed_calls: in all, context_cut_offs: partial chains ended at the model's context "
                + "(never finished, not continued again), in all");
        return String.join("; ", parts);
    }

    /**
     * {@code settings} ({@link StepSearch#settings()}) as a report's fields: each option's name in the report's
     * snake case ({@code maxExpansionsPerStep} as {@code max_expansions_per_step}), its value unchanged.
     */
    static BenchReport settingsReport(Map<String, Object> settings) {
        BenchReport report = new BenchReport();
        settings.forEach((option, value) -> report.put(SNAKE_CASE.matcher(option).replaceAll("_$1")
                .toLowerCase(Locale.ROOT), value));
        return report;
    }
}
