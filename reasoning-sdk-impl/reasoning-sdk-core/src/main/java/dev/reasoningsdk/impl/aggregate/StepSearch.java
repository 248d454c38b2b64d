package dev.reasoningsdk.impl.aggregate;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.reasoningsdk.api.BudgetExhaustedException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.TokenUsageUnavailableException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ProcessReward;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.reasoningsdk.impl.internal.RunStop;
import dev.reasoningsdk.impl.internal.Sampling;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.CallResult;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Step-level search over reasoning steps with a process reward: beam search, best-first search or Monte-Carlo tree
 * search over partial chains, each expanded by continuing its text with a local model and scored step by step (the
 * o1 roadmap's search with a process reward; Yao et al., 2023, "Tree of Thoughts", for search over thoughts;
 * Lightman et al., 2023, for the process reward). A step ends where the chain ends a line, or a sentence
 * ({@code .}, {@code !} or {@code ?} followed by white space); the model's end of sequence ends the chain.
 *
 * <p><b>Expanding.</b> A partial chain is expanded by {@code expansionsPerStep} continuations of
 * {@code promptFormat(question) + chain}, sampled at {@code temperature} with at most {@code stepTokens} new tokens
 * each; a continuation that has not ended a step by then is continued alone until it does. Each child takes the
 * first step of its continuation; what the model generated past that step is kept as the child's lookahead and
 * becomes the first continuation of the child's own next expansion, so tokens are only lost with chains the search
 * drops. Any {@link CausalLanguageModel} can be searched, since generating from a prompt that ends with a partial
 * chain continues it.
 *
 * <p><b>Served models.</b> With {@link Builder#gateway} a LangChain4j {@code ChatModel} is searched through the
 * SDK's one protected call path ({@link ModelGateway}: its timeouts, retries and concurrency limit; each search is one
 * {@link CallScope} with the gateway's budget). Each row of an expansion is one call with the question as the user's
 * message and the partial chain as a final assistant message (the question alone for the first step), the row's seed
 * and temperature through {@link Builder#requestParameters} and the row's token cap as {@code maxOutputTokens}; the
 * provider must continue that assistant message rather than start a new one. Providers that do: {@code reasoning serve}
 * ({@code LocalOpenAiServer}) and vLLM, told by {@code continue_final_message: true, add_generation_prompt: false}
 * ({@code OpenAiChatModels.continuingFinalMessage()} sends them); Ollama's {@code /api/chat}, which continues a final
 * assistant message unasked ({@code OllamaChatModels.seeded()}); Anthropic's prefill. OpenAI's own chat completions
 * always start a new message, so it cannot be searched. The generated tokens come from each reply's token usage: a
 * reply without it is refused with a {@link TokenUsageUnavailableException} naming the model, as the budget could not
 * be kept. A reply at its cap with finish reason {@code length} may go on; a shorter one with finish reason
 * {@code length} was cut off by the model's context (below); any other reply ended the chain. Token texts
 * and log-probabilities come from {@link ReasoningChatResponseMetadata} where the provider returns them, else chains
 * rank without them. A call that still fails after the gateway's retries loses its row and the search goes on without
 * it (a failed call, counted in the result's usage by kind); a spent gateway budget or deadline stops the search
 * ({@link StopReason#BUDGET_EXHAUSTED}), as does a cancelled call ({@link StopReason#CANCELLED}). A provider that
 * refuses every call ends the search with {@link StopReason#NO_ANSWER} once each open chain has had its tries. The
 * result's usage is the scope's (every attempt, retries and failures by kind included) with the finished chains as
 * samples, plus the process reward's cost. With a seeded provider that decodes as the local model does, the path is the
 * in-process one: the tiny reasoner served by {@code reasoning serve} gives the same path, answer and generated tokens.
 *
 * <p><b>The model's context.</b> A chain that runs into the model's context is cut off, as a sampler cuts off a
 * chain at its token limit ({@code SampleBatch.FailureKind.TRUNCATED}): it is not finished (it never votes and is not
 * a sample), it is not continued again, and {@link StepSearchResult#contextCutOffs()} counts it. A continuation the
 * context stopped (the local model's {@code CONTEXT_LENGTH}; over a gateway, a reply shorter than its cap with finish
 * reason {@code length}) keeps the step it ended, if any, and drops the text past it, its tokens counted; a chain that
 * fills the context is a leaf that is not finished. In process, no call is made for a chain that fills the context by
 * the model's count ({@link CausalLanguageModel#promptTokenCount}; a model that does not count is asked, and its
 * refusal is a failed call). A server's context is not known before it refuses: its refusal (a client error whose
 * message carries OpenAI's code {@code context_length_exceeded}, which {@code reasoning serve} sends, vLLM's "maximum
 * context length" or llama.cpp's {@code exceed_context_size_error}) stays a failed call in the usage, and the chain it
 * refused is cut off rather than asked again. Ollama truncates a prompt over its {@code num_ctx} instead of refusing
 * it, so there no chain is cut off by a refusal: give it a context that holds the longest chain the budget allows.
 *
 * <p><b>Calculator.</b> With {@code calculator} on, a new step's plain equations have their stated results replaced
 * by the computed values before it is scored (Cobbe et al., 2021, gave their sampler a calculator); the text the
 * model generated past a corrected step is dropped, and the corrected digits count as no generated token.
 *
 * <p><b>Scoring.</b> Each new step gets a reward in [0, 1] from the {@link ProcessReward} (default
 * {@link ArithmeticStepReward}); a partial chain's penalty is the sum of {@code 1 - reward} over its steps. What the
 * reward's scores cost ({@link ProcessReward#scoreStepWithUsage}: a learned reward's forward passes over each step end,
 * {@link HiddenStateStepReward}) is part of the result's usage, as model calls, input tokens and failed calls, and is
 * reported alone as {@link StepSearchResult#rewardUsage()}. Chains rank by penalty, then (best-first) finished before
 * unfinished and longer before shorter, then by the mean log-probability per character of their steps where the model
 * reports token texts, then by creation order.
 *
 * <p><b>Strategies.</b> {@link Strategy#BEAM}: each round expands every unfinished chain of the beam and keeps the
 * {@code beamWidth} best of the children and the finished chains (children with the same text count once); it stops
 * when the whole beam is finished and answers by a vote of its chains. {@link Strategy#BEST_FIRST}: expands the best
 * chain of the frontier; a chain leaves the frontier once a child's step was accepted or it has been expanded
 * {@code maxExpansionsPerStep} times (once, for a chain that already holds a rejected step), so a step the reward
 * rejects is sampled again from the chain before it, and the search backs up to where an error was found rather than
 * to every earlier step. A step is accepted when its reward is at least {@code acceptReward} (default 1, the full
 * reward; below 1 for a continuous reward, which seldom gives exactly 1) and rejected otherwise. It stops when the
 * best chain of the
 * frontier is finished; with {@code samples} above 1 it searches again from the question (with the following seeds)
 * until that many chains are finished, and answers by their vote. With {@code maxRestarts} above 0 it goes on
 * searching from the question, at most that many more times, until {@code agreement} finished chains without a
 * rejected step give the same answer (with the default agreement of 1: while every chain it finished holds a
 * rejected step). A vote weighs each finished chain
 * {@code exp(-penalty)}; ties go to the answer of the better-ranked chain, whose steps are the path reported.
 *
 * <p>{@link Strategy#MCTS}: Monte-Carlo tree search over partial chains, as Zhang et al. (2024, "Accessing GPT-4 level
 * Mathematical Olympiad Solutions via Monte Carlo Tree Self-refine with LLaMa-3 8B") and Qi et al. (2024, rStar,
 * "Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers") search an LLM's reasoning, with selection by UCT
 * (Kocsis and Szepesvári, 2006). Each rollout descends from the question, while a chain already has
 * {@code maxExpansionsPerStep} children, to the child of highest mean value plus
 * {@code explorationConstant * sqrt(ln N / n)} ({@code N} the chain's visits, {@code n} the child's); the chain it
 * stops at gets one new child, which is rolled out one child at a time until it is finished or a step is rejected
 * (below {@code acceptReward}). The rollout's steps are kept as nodes of the tree, so what it generated is the
 * lookahead of the next expansions and costs nothing again. Its value, {@code exp(-penalty)} of where it ended (1 for
 * a finished chain without a rejected step), is added to every chain on its path; a finished chain and a rejected
 * step are leaves, so a rejected step is sampled again from the chain before it when selection returns there. As in
 * best-first, a chain is expanded at most {@code maxExpansionsPerStep} times, a try whose call failed (after the
 * gateway's retries, or refused in process) counting as one: the chain stays open to be tried again when selection
 * returns to it, and takes no more children once its tries are spent, or at once when it fills the model's context.
 * So a served model whose every call fails ends the search with {@link StopReason#NO_ANSWER} after
 * {@code maxExpansionsPerStep} tries of the question, however much budget is left. It stops once {@code agreement}
 * finished chains without a rejected step give the same answer, after {@code samples} finished chains, or when no
 * chain can grow, and answers by best-first's vote of the finished chains.
 *
 * <p><b>Budget.</b> {@code maxTokens} bounds the tokens the model generates in one search, exactly: every call asks
 * for at most the tokens still unspent, and every generated token counts, those of dropped chains included. It counts
 * generated tokens only: the prompt tokens of expansions and of a learned reward's forward passes are in the result's
 * usage but spend no budget. When the budget cannot pay for another expansion, the best finished chain is the answer
 * ({@link StopReason#BUDGET_EXHAUSTED}). The same seed, question and model give the same path: row {@code i} of the
 * search (counted over all its calls) is sampled with seed {@code seed + i}. Over a gateway, every token a reply
 * reports counts, a reply the gateway retried included; one the LM-call cache served counts its stored tokens (the
 * search replays the same path), though its usage reports none (a cache hit, not a model call). The result's
 * {@link StepSearchResult#generatedTokens()} is the budget's count, so a replayed search reports the tokens its chains
 * cost when they were recorded. A served reply longer than its row's cap (a server that ignores the request's token
 * limit) is dropped and counted as a {@link CallFailure#GARBAGE} failed call; its tokens count all the same, so only
 * such a server can take a search past its budget, by what it sent.
 *
 * <p>Defaults: strategy best-first, beam width 2, 1 expansion per step for best-first and 2 for beam, 1 sample,
 * no restarts, agreement 1, calculator off, {@code acceptReward} 1, {@code maxExpansionsPerStep} 16; for MCTS
 * {@value #DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP} children per chain, at most {@value #DEFAULT_MCTS_SAMPLES} finished
 * chains, agreement {@value #DEFAULT_MCTS_AGREEMENT} and exploration constant {@value #DEFAULT_EXPLORATION_CONSTANT};
 * {@code stepTokens} 16, {@code maxTokens} 1024, temperature 0.8, seed 0, the model's own prompt format
 * ({@link CausalLanguageModel#formatPrompt}; over a gateway the question unchanged), the numeric answer extractor,
 * {@link SampleRequestParameters#temperatureOnly()} over a gateway. Immutable and thread-safe (one search runs on the
 * calling thread, a beam's rows concurrently over a gateway); does not own the model or the gateway.
 */
public final class StepSearch {

    /** How the search chooses the partial chains to expand. */
    public enum Strategy {
        /** Expand every chain of a fixed-width beam each round, keep the best children. */
        BEAM,
        /** Expand the best chain found so far, one at a time. */
        BEST_FIRST,
        /** Monte-Carlo tree search: select by UCT, add one child, roll it out to the end, back up its value. */
        MCTS
    }

    /** MCTS's default children per chain ({@link Builder#maxExpansionsPerStep}). */
    public static final int DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP = 4;
    /** MCTS's default most finished chains ({@link Builder#samples}). */
    public static final int DEFAULT_MCTS_SAMPLES = 8;
    /** MCTS's default agreeing chains without a rejected step that end it ({@link Builder#agreement}). */
    public static final int DEFAULT_MCTS_AGREEMENT = 2;
    /** The default UCT exploration constant of MCTS ({@link Builder#explorationConstant}). */
    public static final double DEFAULT_EXPLORATION_CONSTANT = 1.0;

    private final CausalLanguageModel model;
    private final ModelGateway gateway;
    private final SampleRequestParameters requestParameters;
    private final ProcessReward reward;
    private final AnswerExtractor extractor;
    private final UnaryOperator<String> promptFormat;
    private final Strategy strategy;
    private final int beamWidth;
    private final int expansionsPerStep;
    private final int maxExpansionsPerStep;
    private final int stepTokens;
    private final long maxTokens;
    private final double temperature;
    private final long seed;
    private final int samples;
    private final int maxRestarts;
    private final int agreement;
    private final double acceptReward;
    private final boolean calculator;
    private final double explorationConstant;
    private final Map<String, Object> settings;

    private StepSearch(Builder builder) {
        this.model = builder.model;
        this.gateway = builder.gateway;
        this.requestParameters = builder.requestParameters != null ? builder.requestParameters
                : SampleRequestParameters.temperatureOnly();
        this.reward = builder.reward;
        this.extractor = builder.extractor;
        // A served model's own chat template formats the question; a local model's prompt format does in process.
        this.promptFormat = builder.promptFormat != null ? builder.promptFormat
                : builder.model != null ? builder.model::formatPrompt : UnaryOperator.identity();
        this.strategy = builder.strategy;
        this.beamWidth = builder.beamWidth;
        this.expansionsPerStep = builder.expansionsPerStep != null ? builder.expansionsPerStep
                : builder.strategy == Strategy.BEAM ? 2 : 1;
        boolean mcts = builder.strategy == Strategy.MCTS;
        this.maxExpansionsPerStep = builder.maxExpansionsPerStep != null ? builder.maxExpansionsPerStep
                : mcts ? DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP : 16;
        this.stepTokens = builder.stepTokens;
        this.maxTokens = builder.maxTokens;
        this.temperature = builder.temperature;
        this.seed = builder.seed;
        this.samples = builder.samples != null ? builder.samples : mcts ? DEFAULT_MCTS_SAMPLES : 1;
        this.maxRestarts = builder.maxRestarts;
        this.agreement = builder.agreement != null ? builder.agreement : mcts ? DEFAULT_MCTS_AGREEMENT : 1;
        this.acceptReward = builder.acceptReward;
        this.calculator = builder.calculator;
        this.explorationConstant = builder.explorationConstant;
        this.settings = readSettings();
    }

    /** {@link #settings()}: every option in the builder's order, those of other strategies left out. */
    private Map<String, Object> readSettings() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("strategy", strategy.name().toLowerCase(Locale.ROOT));
        all.put("beamWidth", beamWidth);
        all.put("expansionsPerStep", expansionsPerStep);
        all.put("maxExpansionsPerStep", maxExpansionsPerStep);
        all.put("stepTokens", stepTokens);
        all.put("maxTokens", maxTokens);
        all.put("temperature", temperature);
        all.put("seed", seed);
        all.put("samples", samples);
        all.put("maxRestarts", maxRestarts);
        all.put("agreement", agreement);
        all.put("acceptReward", acceptReward);
        all.put("calculator", calculator);
        all.put("explorationConstant", explorationConstant);
        Builder.STRATEGY_SETTINGS.forEach((setting, strategies) -> {
            if (!strategies.contains(strategy)) {
                all.remove(setting);
            }
        });
        return Collections.unmodifiableMap(all);
    }

    /** A builder; {@link Builder#model} or {@link Builder#gateway} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A best-first search over {@code model} with every default. */
    public static StepSearch of(CausalLanguageModel model) {
        return builder().model(model).build();
    }

    /**
     * Searches for a chain that answers {@code question}.
     *
     * @throws IllegalArgumentException if the local model cannot take the question's prompt (a character outside
     *                                  its vocabulary, a prompt that fills its context)
     * @throws TokenUsageUnavailableException if a served model's reply reports no generated tokens, so the budget
     *                                  could not be kept exactly (the message names the model)
     * @throws IllegalStateException    if the local model generated more tokens than a call asked for, or the
     *                                  gateway is closed
     */
    public StepSearchResult solve(String question) {
        Objects.requireNonNull(question, "question");
        return new Run(question).search();
    }

    /**
     * This search behind the {@link Aggregator} interface, for code written against it. {@link Aggregator#solve}
     * runs {@link #solve(String)} and returns {@link StepSearchResult#toAggregationResult()}: the vote of the finished
     * chains, with the search's usage and stop reason. {@link Aggregator#aggregate} votes the chains it is given, each
     * weighed by this search's process reward over its steps ({@link ProcessRewardScorer}: a {@link WeightedVote}
     * whose weights are {@code 10 exp(-penalty)}, proportional to the search's own vote weights), and makes no model
     * call unless the reward does. Both report this search's {@link #name()} as their method.
     * {@link Aggregator#solveAsync} runs the search where the interface's default would ({@code CompletableFuture}'s
     * default executor); cancelling its future (or completing it
     * exceptionally, e.g. through {@code orTimeout}) stops the search: no model call starts after that, and over a
     * gateway the calls in flight are interrupted and abandoned (a local model's generation in flight runs to its
     * end). As {@link Aggregator#solve} requires, a search whose every model call failed (a provider that refuses
     * them all) throws a {@link ReasoningException} carrying its usage, a {@link BudgetExhaustedException} when a
     * gateway's budget stopped it, where {@link #solve(String)} returns a result without an answer
     * ({@link #toAggregationResult(StepSearchResult)} applies that rule to a result of {@link #solve(String)}).
     * Thread-safe.
     */
    public Aggregator asAggregator() {
        StepSearch search = this;
        WeightedVote rewardVote = WeightedVote.builder().extractor(extractor)
                .scorer(ProcessRewardScorer.of(reward)).build();
        return new Aggregator() {
            @Override
            public AggregationResult aggregate(String question, List<ReasoningChain> chains) {
                AggregationResult vote = rewardVote.aggregate(question, chains);
                return new AggregationResult(name(), vote.answer(), vote.groups(), vote.margin(), vote.stopReason(),
                        vote.unparseableChains(), vote.usage(), vote.generatedTokens());
            }

            @Override
            public AggregationResult solve(String question) {
                return toAggregationResult(search.solve(question));
            }

            @Override
            public CompletableFuture<AggregationResult> solveAsync(String question) {
                Objects.requireNonNull(question, "question");
                Run run;
                try {
                    run = new Run(question);
                } catch (RuntimeException closedGateway) {
                    return CompletableFuture.failedFuture(closedGateway);
                }
                // Cancelled or completed by its caller (orTimeout), the future stops the search.
                return RunStop.supplyAsync(() -> toAggregationResult(run.search()), run::cancel);
            }

            @Override
            public String name() {
                return search.name();
            }
        };
    }

    /**
     * {@code result}, which this search's {@link #solve(String)} returned, as {@link #asAggregator()}'s
     * {@link Aggregator#solve} returns it: {@link StepSearchResult#toAggregationResult()}, or, when no chain could be
     * sampled at all (every call the search made to its model failed; the process reward's calls aside), the
     * exception a vote throws then. For a caller that keeps the search's own result (its path, expansions, reward
     * usage) and must report a search that sampled nothing as every {@link Aggregator} does.
     *
     * @throws BudgetExhaustedException if every call failed and a gateway's budget stopped the search
     * @throws ReasoningException       (retryable) if every call failed otherwise; both carry the search's usage
     */
    public AggregationResult toAggregationResult(StepSearchResult result) {
        Objects.requireNonNull(result, "result");
        Usage usage = result.usage();
        int calls = usage.modelCalls() - result.rewardUsage().modelCalls();
        int failed = usage.failedCalls() - result.rewardUsage().failedCalls();
        if (calls > 0 && failed == calls) {
            throw Sampling.noChainSampled(gateway != null ? gateway.name() : model.modelId(),
                    "; all " + calls + " calls failed " + usage.failuresByKind(),
                    result.stopReason() == StopReason.BUDGET_EXHAUSTED, usage);
        }
        return result.toAggregationResult();
    }

    /** {@code "step_search_beam"}, {@code "step_search_best_first"} or {@code "step_search_mcts"}. */
    public String name() {
        return "step_search_" + strategy.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings this search runs with, each by the name of its builder option, in the builder's order:
     * {@code strategy} ({@code "beam"}, {@code "best_first"} or {@code "mcts"}), the options every strategy reads
     * ({@code stepTokens}, {@code maxTokens}, {@code temperature}, {@code seed}, {@code calculator}) and those only
     * its strategy reads, each with its default where none was set (the strategy's own, for MCTS): what a report
     * states as what ran. Options of other strategies are left out, as are the model, the reward, the extractor, the
     * prompt format and a gateway's request parameters. Values are {@code String}, {@code Integer}, {@code Long},
     * {@code Double} or {@code Boolean}; the map is unmodifiable.
     */
    public Map<String, Object> settings() {
        return settings;
    }

    /**
     * The index just past the first step of {@code text}: after a line's newline, or after a sentence's final
     * {@code .}, {@code !} or {@code ?} that white space follows; -1 when no step ends in it. A step holds some text
     * that is not white space, so a leading newline ends nothing.
     */
    static int stepEnd(String text) {
        return stepEnd(text, 0);
    }

    /** {@link #stepEnd(String)} of {@code text} from {@code from} on, as an index into {@code text}. */
    private static int stepEnd(String text, int from) {
        boolean content = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && content) {
                return i + 1;
            }
            if ((c == '.' || c == '!' || c == '?') && content && i + 1 < text.length()
                    && Character.isWhitespace(text.charAt(i + 1))) {
                return i + 1;
            }
            content |= !Character.isWhitespace(c);
        }
        return -1;
    }

    /**
     * The steps of a finished chain, cut where a search cuts them ({@link #stepEnd}): each holds the white space
     * before it, and text after the last step end that is not only white space is the last step. Empty for a blank
     * chain. Linear in the chain's length.
     */
    static List<String> steps(String chain) {
        List<String> steps = new ArrayList<>();
        int start = 0;
        // Each end is searched for from the last one on: cutting the rest off as a new string at every step would
        // copy the chain once per step, quadratic in a long chain of short lines.
        for (int end = stepEnd(chain, start); end >= 0; end = stepEnd(chain, start)) {
            steps.add(chain.substring(start, end));
            start = end;
        }
        String rest = chain.substring(start);
        if (!rest.isBlank()) {
            steps.add(rest);
        }
        return steps;
    }

    /** A partial chain: the steps from the root to here, their rewards, and what the model generated past them. */
    private static final class Node {
        final String text;
        final List<String> steps;
        final List<Double> rewards;
        final boolean finished;
        final double penalty;
        /** The reward of the newest step (1 for the root). */
        final double stepReward;
        /** The lowest reward of its steps (1 for the root): the chain holds a rejected step when it is too low. */
        final double minReward;
        final double logProb;
        final int order;
        Continuation lookahead;
        int expansions;
        /** Whether the chain fills the model's context, so that no step can follow: a leaf that is not finished. */
        boolean cutOff;

        Node(String text, List<String> steps, List<Double> rewards, boolean finished, double logProb, int order,
             Continuation lookahead) {
            this.text = text;
            this.steps = steps;
            this.rewards = rewards;
            this.finished = finished;
            this.penalty = rewards.stream().mapToDouble(r -> 1 - r).sum();
            this.stepReward = rewards.isEmpty() ? 1 : rewards.get(rewards.size() - 1);
            this.minReward = rewards.stream().mapToDouble(Double::doubleValue).min().orElse(1);
            this.logProb = logProb;
            this.order = order;
            this.lookahead = lookahead;
        }

        double meanLogProb() {
            return text.isEmpty() ? 0 : logProb / text.length();
        }
    }

    /**
     * Text the model generated after a chain, with the log-probability of each character (0 where unknown); whether
     * nothing can follow it ({@code ended}), and whether that is because the model's context is full ({@code cutOff})
     * rather than because the model ended the chain.
     */
    private record Continuation(String text, double[] charLogProbs, boolean ended, boolean cutOff) {

        static Continuation of(Generation generation) {
            // A row stopped by its token cap may go on; an end of sequence ends the chain, a full context cuts it off.
            boolean cutOff = generation.finishReason() == Generation.FinishReason.CONTEXT_LENGTH;
            return of(generation.text(), generation.tokens(),
                    generation.finishReason() != Generation.FinishReason.MAX_NEW_TOKENS
                            || generation.tokenIds().length == 0, cutOff);
        }

        static Continuation of(String text, List<TokenLogProb> tokens, boolean ended, boolean cutOff) {
            double[] perChar = new double[text.length()];
            StringBuilder spelled = new StringBuilder();
            tokens.forEach(token -> spelled.append(token.token()));
            // Token texts that spell the text place each token's log-probability on its last character.
            if (!tokens.isEmpty() && spelled.toString().equals(text)) {
                int end = 0;
                for (TokenLogProb token : tokens) {
                    end += token.token().length();
                    if (end > 0) {
                        perChar[end - 1] += token.logProb();
                    }
                }
            }
            return new Continuation(text, perChar, ended || cutOff, cutOff);
        }

        Continuation then(Continuation more) {
            double[] joined = new double[charLogProbs.length + more.charLogProbs.length];
            System.arraycopy(charLogProbs, 0, joined, 0, charLogProbs.length);
            System.arraycopy(more.charLogProbs, 0, joined, charLogProbs.length, more.charLogProbs.length);
            return new Continuation(text + more.text, joined, more.ended, more.cutOff);
        }

        double logProb(int from, int to) {
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += charLogProbs[i];
            }
            return sum;
        }

        Continuation from(int index) {
            return new Continuation(text.substring(index),
                    Arrays.copyOfRange(charLogProbs, index, charLogProbs.length), ended, cutOff);
        }
    }

    /** What the local model's own count says of the room a chain leaves in its context. */
    private enum ContextRoom {
        /** No token fits after the chain: asking would only be refused. */
        FULL,
        /** A token fits; or the model cannot encode the chain, and its refusal then says so, not the context. */
        LEFT,
        /** The model gives no count: only its refusal tells a full context. */
        UNCOUNTED
    }

    /**
     * What one generation step gave: its rows, and whether the chain it continued fills the model's context (the local
     * model's count says so before any call, or the provider refused the call for it), so that nothing can follow.
     */
    private record Generated(List<Continuation> rows, boolean contextFull) {
        static final Generated NONE = new Generated(List.of(), false);
        static final Generated CONTEXT_FULL = new Generated(List.of(), true);
    }

    /** How providers word a refusal for a prompt over their context: OpenAI's code, vLLM's and llama.cpp's. */
    private static final Pattern CONTEXT_REFUSAL = Pattern.compile(
            "context_length_exceeded|maximum context length|exceed_context_size_error", Pattern.CASE_INSENSITIVE);

    /** Order of best-first's frontier: fewer errors, then finished, longer, more likely per character, made first. */
    private static final Comparator<Node> PROGRESS = Comparator.<Node>comparingDouble(n -> n.penalty)
            .thenComparing(n -> !n.finished)
            .thenComparing(n -> -n.steps.size())
            .thenComparingDouble(n -> -n.meanLogProb())
            .thenComparingInt(n -> n.order);

    /** Rank of chains: fewer errors, then more likely per character, then made first. */
    private static final Comparator<Node> RANK = Comparator.<Node>comparingDouble(n -> n.penalty)
            .thenComparingDouble(n -> -n.meanLogProb()).thenComparingInt(n -> n.order);

    /** One search: its tree, its budget and what it spent. Not thread-safe. */
    private final class Run {
        private final String question;
        private final String prompt;
        private final long start = System.nanoTime();
        private long remaining = maxTokens;
        private long generated;
        private long inputTokens;
        private int calls;
        private int failedCalls;
        /** Served replies longer than their row's cap: dropped, counted as garbage. */
        private int overCapReplies;
        private long rows;
        private int nodes;
        private int expansions;
        private int finishedChains;
        /** Partial chains ended at the model's context ({@link StepSearchResult#contextCutOffs()}). */
        private int contextCutOffs;
        private boolean budgetSpent;
        /** Why a served model's calls stopped the search (a spent gateway budget, a cancel); null otherwise. */
        private StopReason halted;
        private Node bestFinished;
        /** What the process reward's scores cost (a learned reward's forward passes); none for a text-only one. */
        private Usage rewardUsage = Usage.NONE;
        /** The search's share of the gateway: one scope per search; null for a local model. */
        private final CallScope scope;
        /** Set by {@link #cancel()} from another thread: no generation starts after it. */
        private volatile boolean cancelled;

        Run(String question) {
            this.question = question;
            this.prompt = promptFormat.apply(question);
            this.scope = gateway == null ? null : gateway.session();
        }

        /**
         * Stops the search from another thread: the next expansion finds no continuation and the search ends with
         * {@link StopReason#CANCELLED}, as when a gateway call was cancelled; a served model's calls in flight are
         * interrupted and abandoned by its scope.
         */
        void cancel() {
            cancelled = true;
            if (scope != null) {
                scope.cancel();
            }
        }

        /** Why the search stopped early: the gateway's reason, else the token budget. */
        private StopReason spentReason() {
            return halted != null ? halted : StopReason.BUDGET_EXHAUSTED;
        }

        StepSearchResult search() {
            return switch (strategy) {
                case BEAM -> beam();
                case BEST_FIRST -> bestFirst();
                case MCTS -> mcts();
            };
        }

        private Node root() {
            return new Node("", List.of(), List.of(), false, 0, nodes++, null);
        }

        private StepSearchResult bestFirst() {
            List<Node> finished = new ArrayList<>();
            Node best = null;
            int restarts = 0;
            while (!budgetSpent) {
                if (finished.size() >= samples) {
                    // Enough chains; search again only while too few of those without a rejected step agree.
                    if (restarts >= maxRestarts || agreed(finished)) {
                        break;
                    }
                    restarts++;
                }
                Node[] bestPartial = new Node[1];
                Optional<Node> chain = bestFirstChain(bestPartial);
                if (chain.isEmpty()) {
                    best = best == null || RANK.compare(bestPartial[0], best) < 0 ? bestPartial[0] : best;
                    break;
                }
                finished.add(chain.get());
            }
            StopReason reason = budgetSpent ? spentReason()
                    : finished.size() < samples ? StopReason.NO_ANSWER : StopReason.COMPLETED;
            if (finished.isEmpty() && bestFinished != null) {
                finished.add(bestFinished);
            }
            return finished.isEmpty() ? result(best, reason) : vote(finished, reason);
        }

        /** Whether {@code agreement} of the finished chains without a rejected step give the same answer. */
        private boolean agreed(List<Node> finished) {
            List<String> answers = finished.stream().filter(n -> !holdsRejected(n))
                    .map(n -> extractor.extract(n.text)).flatMap(Optional::stream).toList();
            for (String answer : answers) {
                if (answers.stream().filter(other -> extractor.equivalent(answer, other)).count() >= agreement) {
                    return true;
                }
            }
            return false;
        }

        /**
         * One best-first search from a new root: the first finished chain that is the best of the frontier, or empty
         * (with the best partial chain in {@code bestPartial}) when the budget or the frontier ran out first.
         */
        private Optional<Node> bestFirstChain(Node[] bestPartial) {
            PriorityQueue<Node> frontier = new PriorityQueue<>(PROGRESS);
            Node root = root();
            frontier.add(root);
            bestPartial[0] = root;
            while (!frontier.isEmpty()) {
                Node next = frontier.peek();
                if (PROGRESS.compare(next, bestPartial[0]) < 0 || bestPartial[0] == root) {
                    bestPartial[0] = next;
                }
                if (next.finished) {
                    return Optional.of(next);
                }
                if (budgetSpent) {
                    return Optional.empty();
                }
                List<Node> children = expand(next, expansionsPerStep);
                // A chain stays open for another try only while no child's step looked right: the search backs
                // up to where an error was found, not to every earlier step. A chain that already holds an error
                // gets one try: its retries were spent at the step before the error, and retrying after it too
                // would multiply them with every error kept.
                if (triesSpent(next) || holdsRejected(next)
                        || children.stream().anyMatch(c -> accepted(c.stepReward))) {
                    frontier.remove(next);
                }
                frontier.addAll(children);
            }
            return Optional.empty();
        }

        /**
         * Monte-Carlo tree search over partial chains. Each rollout selects a node by UCT ({@link UctTree}), gives it
         * one new child, and follows that child one child at a time (its lookahead first, so the rollout's text is
         * what the next expansions take) until the chain is finished or a step is rejected; the leaf's value,
         * {@code exp(-penalty)}, is backed up to every node of the path. A finished chain and a rejected step are
         * leaves: a rejected step is sampled again from the chain before it when selection returns there. A try that
         * gave no child because a call failed leaves its chain open, to be tried again when selection returns to it;
         * it counts among the chain's {@code maxExpansionsPerStep} tries ({@link #triesSpent}), after which the chain
         * takes no more children ({@link UctTree#stopGrowing}), as a chain that fills the context does at once. It
         * stops once {@code agreement} finished chains without a rejected step give one answer, after
         * {@code samples} finished chains, when the budget is spent, or when no node can grow, and answers by the
         * vote of the finished chains.
         */
        private StepSearchResult mcts() {
            Node root = root();
            UctTree<Node> tree = new UctTree<>(root, explorationConstant, maxExpansionsPerStep);
            List<Node> finished = new ArrayList<>();
            Node best = root;
            while (!budgetSpent && finished.size() < samples && !agreed(finished)) {
                Optional<List<Node>> selected = tree.select();
                if (selected.isEmpty()) {
                    break;
                }
                List<Node> path = new ArrayList<>(selected.get());
                Node leaf = path.get(path.size() - 1);
                while (true) {
                    List<Node> children = expand(leaf, 1);
                    for (Node child : children) {
                        tree.add(leaf, child);
                    }
                    // A failed try took one of the chain's children's places: a chain whose calls keep failing runs
                    // out of tries, as one that fills the context does at once, and takes no more children.
                    if (triesSpent(leaf)) {
                        tree.stopGrowing(leaf);
                    }
                    if (children.isEmpty()) {
                        // No child: the chain fills the context (closed above), the budget is spent (the search
                        // ends), or a call failed, which a served model's next call may not: the chain stays open,
                        // to be tried again when selection returns to it, while it has tries left.
                        break;
                    }
                    Node child = children.get(0);
                    path.add(child);
                    leaf = child;
                    if (leaf.finished || !accepted(leaf.stepReward)) {
                        tree.close(leaf);
                        break;
                    }
                }
                if (leaf.finished) {
                    finished.add(leaf);
                }
                best = PROGRESS.compare(leaf, best) < 0 ? leaf : best;
                tree.backup(path, Math.exp(-leaf.penalty));
            }
            StopReason reason = budgetSpent ? spentReason()
                    : finished.isEmpty() ? StopReason.NO_ANSWER : StopReason.COMPLETED;
            return finished.isEmpty() ? result(best, reason) : vote(finished, reason);
        }

        /**
         * Whether {@code node} may be expanded no more: it fills the model's context (a try would only fail), or it
         * has been expanded {@code maxExpansionsPerStep} times, a try whose call failed included, so that a model
         * whose calls always fail still ends the search (a call that fails before generating spends no budget).
         */
        private boolean triesSpent(Node node) {
            return node.cutOff || node.expansions >= maxExpansionsPerStep;
        }

        /** Whether a step with this reward is accepted: at least {@code acceptReward}. */
        private boolean accepted(double stepReward) {
            return stepReward >= acceptReward;
        }

        /** Whether one of the chain's steps was rejected (its penalty still ranks it, whatever it is). */
        private boolean holdsRejected(Node node) {
            return !accepted(node.minReward);
        }

        private StepSearchResult beam() {
            List<Node> beam = List.of(root());
            while (true) {
                if (beam.stream().allMatch(n -> n.finished)) {
                    return vote(beam, StopReason.COMPLETED);
                }
                List<Node> candidates = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (Node node : beam) {
                    List<Node> next = node.finished ? List.of(node)
                            : budgetSpent ? List.of() : expand(node, expansionsPerStep);
                    // Two children with the same text are one chain: keeping both would narrow the beam.
                    next.stream().filter(n -> seen.add(n.finished + n.text)).forEach(candidates::add);
                }
                if (budgetSpent) {
                    List<Node> finished = candidates.stream().filter(n -> n.finished).toList();
                    if (finished.isEmpty() && bestFinished != null) {
                        finished = List.of(bestFinished);
                    }
                    return finished.isEmpty() ? result(candidates.stream().min(RANK).orElse(beam.get(0)),
                            spentReason()) : vote(finished, spentReason());
                }
                if (candidates.isEmpty()) {
                    return result(beam.get(0), StopReason.NO_ANSWER);
                }
                candidates.sort(RANK);
                beam = candidates.subList(0, Math.min(beamWidth, candidates.size()));
            }
        }

        /**
         * The answer of the finished chains by a {@link WeightedVote}, each chain weighing {@code exp(-penalty)} (a
         * chain with one wrong step weighs 0.37 of a chain with none), given best-ranked first so that a tie goes to
         * the answer of the better-ranked chain. Its path is its best chain's.
         */
        private StepSearchResult vote(List<Node> finished, StopReason reason) {
            List<Node> ranked = finished.stream().sorted(RANK).toList();
            AggregationResult vote = WeightedVote.byChainWeight(extractor).aggregate(question, ranked.stream()
                    .map(n -> new ReasoningChain(n.text, name(), Math.exp(-n.penalty), List.of())).toList());
            Node chosen = vote.groups().isEmpty() ? ranked.get(0)
                    : ranked.get(vote.groups().get(0).chains().get(0).index());
            return result(chosen, reason, vote.groups(), vote.unparseableChains());
        }

        /**
         * Up to {@code count} children of {@code node}, one step longer each (fewer when the budget runs out, none
         * for a chain that fills the model's context, which is then cut off without another call).
         */
        private List<Node> expand(Node node, int count) {
            if (node.cutOff) {
                return List.of();
            }
            expansions++;
            node.expansions++;
            List<Continuation> continuations = new ArrayList<>();
            int fresh = count;
            if (node.lookahead != null) {
                continuations.add(node.lookahead);
                node.lookahead = null;
                fresh--;
            }
            if (fresh > 0) {
                Generated generated = generate(node.text, fresh);
                continuations.addAll(generated.rows());
                if (generated.contextFull()) {
                    cutOff(node);
                }
            }
            List<Node> children = new ArrayList<>();
            for (Continuation continuation : continuations) {
                child(node, continuation).ifPresent(children::add);
            }
            return children;
        }

        /** The child made of the first step of {@code continuation}, generating more until a step ends. */
        private Optional<Node> child(Node parent, Continuation continuation) {
            Continuation pending = continuation;
            while (true) {
                int end = stepEnd(pending.text());
                if (end >= 0) {
                    Continuation rest = pending.from(end);
                    boolean atEnd = rest.ended() && rest.text().isBlank();
                    String step = pending.text().substring(0, end);
                    String fixed = calculator ? ArithmeticVerifier.corrected(step) : step;
                    boolean finished = atEnd && !rest.cutOff();
                    // What the model wrote past a corrected result followed the wrong value: it is not kept.
                    Node child = node(parent, fixed, pending.logProb(0, end), finished,
                            finished || !fixed.equals(step) ? null : rest);
                    if (atEnd && rest.cutOff() && fixed.equals(step)) {
                        // The step filled the context: the child holds it, and nothing can follow.
                        cutOff(child);
                    }
                    return Optional.of(child);
                }
                if (pending.cutOff()) {
                    // The context filled before the step ended: the chain is dropped as cut off, its tokens counted.
                    contextCutOffs++;
                    return Optional.empty();
                }
                if (pending.ended()) {
                    return Optional.of(node(parent, pending.text(), pending.logProb(0, pending.text().length()),
                            true, null));
                }
                Generated more = generate(parent.text + pending.text(), 1);
                if (more.rows().isEmpty()) {
                    // The budget cannot pay for the rest of this step, its call failed, or the chain fills the
                    // context (then counted as cut off): the chain is dropped, its tokens counted.
                    contextCutOffs += more.contextFull() ? 1 : 0;
                    return Optional.empty();
                }
                pending = pending.then(more.rows().get(0));
            }
        }

        /** Ends {@code node}'s growth at the model's context, counting it once. */
        private void cutOff(Node node) {
            if (!node.cutOff) {
                node.cutOff = true;
                contextCutOffs++;
            }
        }

        private Node node(Node parent, String step, double stepLogProb, boolean finished, Continuation lookahead) {
            List<String> steps = new ArrayList<>(parent.steps);
            List<Double> rewards = new ArrayList<>(parent.rewards);
            if (!step.isBlank()) {
                steps.add(step);
                rewards.add(reward(steps, finished));
            } else if (finished && !steps.isEmpty()) {
                // Only white space before the end: the last step is the chain's last, so its reward is read again.
                rewards.set(rewards.size() - 1, reward(steps, true));
            }
            Node node = new Node(parent.text + step, List.copyOf(steps), List.copyOf(rewards), finished,
                    parent.logProb + stepLogProb, nodes++,
                    lookahead != null && !lookahead.text().isEmpty() ? lookahead : null);
            if (finished) {
                finishedChains++;
                if (bestFinished == null || RANK.compare(node, bestFinished) < 0) {
                    bestFinished = node;
                }
            }
            return node;
        }

        private double reward(List<String> steps, boolean finished) {
            ProcessReward.StepScore score = reward.scoreStepWithUsage(question, List.copyOf(steps), finished);
            rewardUsage = rewardUsage.plus(score.usage());
            return score.reward();
        }

        /**
         * {@code count} continuations of the chain {@code text}, or fewer rows when the budget cannot give each at
         * least one token (or a served model's call failed); none when it is spent, or when the chain fills the
         * model's context ({@link Generated#contextFull()}). Each row may generate at most the tokens still unspent,
         * divided among the rows, so the budget is never exceeded. Row {@code i} of the search is sampled with seed
         * {@code seed + i}, whether its call succeeded or not.
         */
        private Generated generate(String text, int count) {
            if (cancelled) {
                halted = StopReason.CANCELLED;
                budgetSpent = true;
                return Generated.NONE;
            }
            int rowsNow = (int) Math.min(count, remaining);
            if (rowsNow < 1) {
                budgetSpent = true;
                return Generated.NONE;
            }
            ContextRoom room = model != null && !text.isEmpty() ? contextRoom(prompt + text) : ContextRoom.UNCOUNTED;
            if (room == ContextRoom.FULL) {
                // Asking would only be refused, so no call is made and no seed used.
                return Generated.CONTEXT_FULL;
            }
            int perRow = (int) Math.min(stepTokens, remaining / rowsNow);
            long firstSeed = seed + rows;
            rows += rowsNow;
            Generated generated = model != null ? generateLocally(text, rowsNow, perRow, firstSeed, room)
                    : generateServed(text, rowsNow, perRow, firstSeed);
            if (remaining < 1) {
                budgetSpent = true;
            }
            return generated;
        }

        /** The room {@code fullPrompt} leaves in the local model's context, by the model's own count. */
        private ContextRoom contextRoom(String fullPrompt) {
            try {
                OptionalInt tokens = model.promptTokenCount(fullPrompt);
                if (tokens.isEmpty()) {
                    return ContextRoom.UNCOUNTED;
                }
                return tokens.getAsInt() >= model.contextLength() ? ContextRoom.FULL : ContextRoom.LEFT;
            } catch (IllegalArgumentException unencodable) {
                return ContextRoom.LEFT;
            }
        }

        /**
         * One batched call of the local model; {@code room} is what its count said of the chain ({@link
         * ContextRoom#UNCOUNTED} for the question alone).
         */
        private Generated generateLocally(String text, int rowsNow, int perRow, long firstSeed, ContextRoom room) {
            GenerationOptions options = GenerationOptions.sampling(temperature, perRow, firstSeed);
            calls++;
            List<Generation> generations;
            try {
                generations = model.generate(prompt + text, rowsNow, options);
            } catch (IllegalArgumentException refused) {
                if (text.isEmpty()) {
                    throw refused;
                }
                // A model that does not count its prompt tokens refuses a chain that fills its context: a failed
                // call, as a server's refusal is, and the chain is cut off. One that counts found room for the chain
                // (or could not encode it), so its refusal is not the context's: a failed call that ends the chain,
                // not counted as cut off there.
                failedCalls++;
                return room == ContextRoom.UNCOUNTED ? Generated.CONTEXT_FULL : Generated.NONE;
            }
            List<Continuation> continuations = new ArrayList<>(generations.size());
            for (Generation generation : generations) {
                spend(generation.tokenIds().length, perRow, model.modelId());
                inputTokens += generation.promptTokens();
                continuations.add(Continuation.of(generation));
            }
            return new Generated(continuations, false);
        }

        /**
         * One gateway call per row: the question as the user's message and the chain as the assistant's, which the
         * provider continues (the question alone for the first step), with the row's seed, the temperature and the
         * row's token cap. A row whose call failed after the gateway's retries is left out; a spent gateway budget or
         * a cancelled call stops the search.
         */
        private Generated generateServed(String text, int rowsNow, int perRow, long firstSeed) {
            List<ChatRequest> requests = new ArrayList<>(rowsNow);
            List<ChatMessage> messages = text.isEmpty() ? List.of(UserMessage.from(prompt))
                    : List.of(UserMessage.from(prompt), AiMessage.from(text));
            ChatRequestParameters cap = ChatRequestParameters.builder().maxOutputTokens(perRow).build();
            for (int i = 0; i < rowsNow; i++) {
                ChatRequestParameters parameters = text.isEmpty()
                        ? requestParameters.forSample(i, OptionalDouble.of(temperature), firstSeed + i)
                        : requestParameters.forContinuation(i, OptionalDouble.of(temperature), firstSeed + i);
                requests.add(ChatRequest.builder().messages(messages).parameters(parameters.overrideWith(cap))
                        .build());
            }
            List<CallResult> results = rowsNow == 1 ? List.of(scope.call(requests.get(0), true))
                    : scope.callAll(requests, true);
            List<Continuation> continuations = new ArrayList<>(rowsNow);
            boolean contextFull = false;
            for (CallResult result : results) {
                Optional<ChatResponse> response = result.response();
                long replyTokens = response.map(ChatCalls::outputTokens).orElse(0L);
                // Every token the provider generated for the call counts, an unusable reply's retried too; a
                // reply the LM-call cache served was generated once, when it was stored.
                long callTokens = result.usage().cacheHits() > 0 ? replyTokens : result.usage().outputTokens();
                if (callTokens == Usage.UNKNOWN_TOKENS || replyTokens == Usage.UNKNOWN_TOKENS) {
                    throw new TokenUsageUnavailableException(gateway.name(), "step search counts each reply's "
                            + "generated tokens to keep its budget of " + maxTokens + " tokens exact, so it cannot "
                            + "search a provider that does not report them", spent());
                }
                if (replyTokens > perRow) {
                    // A server that ignores the cap has spent the tokens all the same: they count, and the reply,
                    // which broke the request, is dropped as garbage.
                    overCapReplies++;
                    spend(callTokens, Long.MAX_VALUE, gateway.name());
                    continue;
                }
                spend(callTokens - replyTokens, Long.MAX_VALUE, gateway.name());
                spend(replyTokens, perRow, gateway.name());
                if (result.ok()) {
                    ChatResponse reply = response.orElseThrow();
                    FinishReason finish = reply.finishReason();
                    // A reply shorter than its cap ended for another reason: an end of sequence, or a full context,
                    // which OpenAI-compatible servers call "length" too; one at its cap may go on.
                    boolean ended = replyTokens < perRow || (finish != null && finish != FinishReason.LENGTH);
                    boolean cutOff = replyTokens < perRow && finish == FinishReason.LENGTH;
                    continuations.add(Continuation.of(result.text(),
                            ReasoningChatResponseMetadata.tokenLogProbs(reply).orElse(List.of()), ended, cutOff));
                } else {
                    CallFailure failure = result.failure().orElseThrow();
                    if (failure == CallFailure.BUDGET_EXHAUSTED || failure == CallFailure.CANCELLED) {
                        halted = failure == CallFailure.CANCELLED ? StopReason.CANCELLED : StopReason.BUDGET_EXHAUSTED;
                        budgetSpent = true;
                    }
                    contextFull |= refusedForContext(result);
                }
            }
            return new Generated(continuations, contextFull);
        }

        /**
         * Whether the provider refused the call because the prompt and the tokens asked for do not fit its context:
         * a client error whose message carries OpenAI's code {@code context_length_exceeded} ({@code reasoning serve}
         * sends it too), vLLM's "maximum context length" or llama.cpp's {@code exceed_context_size_error}.
         */
        private static boolean refusedForContext(CallResult result) {
            return result.failure().orElseThrow() == CallFailure.CLIENT_ERROR
                    && CONTEXT_REFUSAL.matcher(result.message()).find();
        }

        /** The scope's usage with the finished chains as samples and the over-cap replies as failed calls. */
        private Usage servedUsage(Usage calls) {
            if (overCapReplies == 0) {
                return calls.withSamples(finishedChains);
            }
            Map<CallFailure, Integer> kinds = new EnumMap<>(CallFailure.class);
            kinds.putAll(calls.failuresByKind());
            kinds.merge(CallFailure.GARBAGE, overCapReplies, Integer::sum);
            return new Usage(finishedChains, calls.modelCalls(), calls.failedCalls() + overCapReplies,
                    calls.inputTokens(), calls.outputTokens(), calls.wallTime(), calls.cacheHits(), kinds);
        }

        /** Counts {@code tokens} generated by a call that asked for at most {@code asked} per row. */
        private void spend(long tokens, long asked, String modelName) {
            if (tokens > asked) {
                throw new IllegalStateException("model " + modelName + " generated " + tokens
                        + " tokens where at most " + asked + " were asked");
            }
            generated += tokens;
            remaining -= tokens;
        }

        /** The result of a search that ended on {@code chosen} without a vote (no finished chain won). */
        private StepSearchResult result(Node chosen, StopReason stopReason) {
            return result(chosen, stopReason, List.of(), 0);
        }

        private StepSearchResult result(Node chosen, StopReason stopReason, List<AnswerGroup> groups,
                                        int unparseableChains) {
            List<StepSearchResult.Step> path = new ArrayList<>();
            for (int i = 0; i < chosen.steps.size(); i++) {
                path.add(new StepSearchResult.Step(chosen.steps.get(i), chosen.rewards.get(i)));
            }
            Optional<String> answer = chosen.finished ? extractor.extract(chosen.text) : Optional.empty();
            // The budget's count, not the usage's output tokens: a reply the cache served is in it with its stored
            // tokens, so a replayed search reports what its chains cost to generate.
            return new StepSearchResult(name(), answer, path, chosen.finished, expansions, stopReason, spent(),
                    rewardUsage, contextCutOffs, generated, groups, unparseableChains);
        }

        /** What the search has spent so far: its expansions' calls and its reward's passes. */
        private Usage spent() {
            // A served model's calls are counted by their scope: attempts, failures by kind, tokens.
            Usage expanding = scope != null ? servedUsage(scope.usage())
                    : new Usage(finishedChains, calls, failedCalls, inputTokens, generated,
                    Duration.ofNanos(System.nanoTime() - start), 0,
                    failedCalls > 0 ? Map.of(CallFailure.CLIENT_ERROR, failedCalls) : Map.of());
            // The reward's passes ran inside the search's wall time, and generated nothing: the output tokens are
            // the expansions' alone.
            return expanding.plus(rewardUsage).withWallTime(expanding.wallTime());
        }
    }

    /** Builds a {@link StepSearch}; setters validate at once. Not thread-safe. */
    public static final class Builder {
        private CausalLanguageModel model;
        private ModelGateway gateway;
        private SampleRequestParameters requestParameters;
        private ProcessReward reward = ArithmeticStepReward.create();
        private AnswerExtractor extractor = AnswerExtractors.numeric();
        private UnaryOperator<String> promptFormat;
        private Strategy strategy = Strategy.BEST_FIRST;
        private int beamWidth = 2;
        private Integer expansionsPerStep;
        private Integer maxExpansionsPerStep;
        private int stepTokens = 16;
        private long maxTokens = 1024;
        private double temperature = 0.8;
        private long seed;
        private Integer samples;
        private int maxRestarts;
        private Integer agreement;
        private double acceptReward = 1;
        private boolean calculator;
        private double explorationConstant = DEFAULT_EXPLORATION_CONSTANT;
        /** The settings only some strategies read, with those strategies, in the order a refusal names them. */
        private static final Map<String, Set<Strategy>> STRATEGY_SETTINGS = strategySettings();
        /** The strategy-specific settings the caller set, so that a strategy that reads none of them refuses them. */
        private final Set<String> strategySettings = new HashSet<>();

        private Builder() {
        }

        /**
         * The local model that continues partial chains (this or {@link #gateway} is required).
         *
         * @throws IllegalArgumentException if a gateway was set: a search asks one model
         */
        public Builder model(CausalLanguageModel model) {
            Objects.requireNonNull(model, "model");
            refuseSecondModel("model", gateway == null ? null : "gateway " + gateway.name());
            this.model = model;
            return this;
        }

        /** A search asks one model, local or served: the second one set is refused, naming the first. */
        private static void refuseSecondModel(String setting, String alreadySet) {
            if (alreadySet != null) {
                throw new IllegalArgumentException("model and gateway are alternatives: " + setting + " given while "
                        + alreadySet + " is already set");
            }
        }

        /**
         * A served chat model that continues partial chains, called through this gateway (its timeouts, retries,
         * concurrency limit and, per search, one scope with the gateway's budget); the alternative to
         * {@link #model}. The provider must continue a final assistant message (see the class description).
         *
         * @throws IllegalArgumentException if a model was set: a search asks one model
         */
        public Builder gateway(ModelGateway gateway) {
            Objects.requireNonNull(gateway, "gateway");
            refuseSecondModel("gateway", model == null ? null : "model " + model.modelId());
            this.gateway = gateway;
            return this;
        }

        /**
         * How each row's temperature and seed reach the served model, and what tells it to continue the final
         * assistant message (default {@link SampleRequestParameters#temperatureOnly()}, which sends no seed, so the
         * same seed gives the same path only with a seeded one: {@code OpenAiChatModels.continuingFinalMessage()}
         * for vLLM and {@code reasoning serve}, {@code OllamaChatModels.seeded()} for Ollama). Only with
         * {@link #gateway}.
         */
        public Builder requestParameters(SampleRequestParameters requestParameters) {
            this.requestParameters = Objects.requireNonNull(requestParameters, "requestParameters");
            return this;
        }

        /** The process reward that scores each new step (default {@link ArithmeticStepReward#create()}). */
        public Builder reward(ProcessReward reward) {
            this.reward = Objects.requireNonNull(reward, "reward");
            return this;
        }

        /** How the chosen chain's answer is read (default {@link AnswerExtractors#numeric()}). */
        public Builder extractor(AnswerExtractor extractor) {
            this.extractor = Objects.requireNonNull(extractor, "extractor");
            return this;
        }

        /**
         * The model's prompt for a question (default the local model's {@link CausalLanguageModel#formatPrompt}; with
         * a {@link #gateway}, the question unchanged as the user's message, which the provider's chat template
         * formats).
         */
        public Builder promptFormat(UnaryOperator<String> promptFormat) {
            this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
            return this;
        }

        /** Beam, best-first or MCTS (default {@link Strategy#BEST_FIRST}). */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Chains kept per round by beam search (default 2).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder beamWidth(int beamWidth) {
            this.beamWidth = Arguments.atLeast(beamWidth, 1, "beamWidth");
            strategySettings.add("beamWidth");
            return this;
        }

        /**
         * Children sampled per expansion (default 1 for best-first, 2 for beam; MCTS always samples 1).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder expansionsPerStep(int expansionsPerStep) {
            this.expansionsPerStep = Arguments.atLeast(expansionsPerStep, 1, "expansionsPerStep");
            strategySettings.add("expansionsPerStep");
            return this;
        }

        /**
         * How often best-first search may expand one partial chain (default 16: a step the tiny reasoner gets wrong
         * is often wrong again at the next few tries, and a try costs about a step's tokens); for MCTS, which adds one
         * child per expansion, the most children of one partial chain (default
         * {@value StepSearch#DEFAULT_MCTS_MAX_EXPANSIONS_PER_STEP}). For both, a try whose call failed counts as one,
         * so a model whose calls always fail still ends the search.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxExpansionsPerStep(int maxExpansionsPerStep) {
            this.maxExpansionsPerStep = Arguments.atLeast(maxExpansionsPerStep, 1, "maxExpansionsPerStep");
            strategySettings.add("maxExpansionsPerStep");
            return this;
        }

        /**
         * New tokens asked per continuation before looking for a step end (default 16): about a step, so that
         * little is generated past the step a child takes.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder stepTokens(int stepTokens) {
            this.stepTokens = Arguments.atLeast(stepTokens, 1, "stepTokens");
            return this;
        }

        /**
         * The most tokens the model may generate in one search, all expansions included (default 1024).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder maxTokens(long maxTokens) {
            this.maxTokens = Arguments.atLeast(maxTokens, 1L, "maxTokens");
            return this;
        }

        /**
         * Sampling temperature of the expansions (default 0.8; 0 is greedy, so every expansion of a chain gives the
         * same step).
         *
         * @throws IllegalArgumentException if negative, NaN or infinite
         */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /** The seed of the search's first row; row {@code i} uses {@code seed + i} (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Finished chains best-first search collects before it answers (default 1): each after the first comes from
         * a new search from the question, with the following seeds and the budget left, and the answer is their
         * vote, each chain weighing {@code exp(-penalty)}. For MCTS, the most finished chains its rollouts collect
         * (default {@value StepSearch#DEFAULT_MCTS_SAMPLES}; it stops sooner once {@link #agreement} of them agree),
         * which vote alike. Beam search votes among the finished chains of its beam.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder samples(int samples) {
            this.samples = Arguments.atLeast(samples, 1, "samples");
            strategySettings.add("samples");
            return this;
        }

        /**
         * How many more times best-first search may search again from the question, with the following seeds and the
         * budget left, while every chain it finished holds a step the process reward rejected (below
         * {@link #acceptReward}; default 0). The tiny reasoner repeats many of its errors when a step is resampled
         * from the same chain, but not when the whole chain is sampled again, so a doubtful chain is worth a new
         * search; a chain without a rejected step is not.
         * The answer is the vote of all finished chains, each weighing {@code exp(-penalty)}, so with a reward of 0
         * or 1 a chain without a rejected step outweighs two that hold one.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxRestarts(int maxRestarts) {
            this.maxRestarts = Arguments.atLeast(maxRestarts, 0, "maxRestarts");
            strategySettings.add("maxRestarts");
            return this;
        }

        /**
         * Whether a step's plain equations ({@code 105-96=69.}) have their stated results replaced by the computed
         * values before the step is scored (default false): a calculator, as Cobbe et al. (2021) gave their sampler.
         * The tiny reasoner makes some arithmetic slips at nearly every try, which resampling cannot fix. The text
         * the model generated past a corrected step is dropped (it followed the wrong value); the corrected digits
         * were not generated, so they are not counted as generated tokens, and the path reports the corrected step.
         */
        public Builder calculator(boolean calculator) {
            this.calculator = calculator;
            return this;
        }

        /**
         * How many finished chains without a rejected step must give the same answer before best-first search stops
         * searching again from the question (default 1: the first chain without a rejected step ends the search);
         * at most {@link #maxRestarts} searches are added to the first {@link #samples}. Above 1, a chain whose
         * every step passed the reward but that misread the question is caught by a second search that reads it
         * differently. MCTS stops once that many finished chains without a rejected step agree (default
         * {@value StepSearch#DEFAULT_MCTS_AGREEMENT} for it).
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder agreement(int agreement) {
            this.agreement = Arguments.atLeast(agreement, 1, "agreement");
            strategySettings.add("agreement");
            return this;
        }

        /**
         * The least reward at which best-first search accepts a step (default 1, the full reward). An accepted step
         * ends its chain's tries ({@link #maxExpansionsPerStep}); a chain that holds a step below it is expanded
         * once, and it does not count among the chains without a rejected step that end the searches again
         * ({@link #maxRestarts}, {@link #agreement}). The penalty that ranks chains is unchanged. The default suits
         * a reward of 0 or 1 ({@link ArithmeticStepReward}); a continuous reward, such as a learned process reward
         * ({@link HiddenStateStepReward}), almost never gives exactly 1, so with the default every step would be tried
         * {@code maxExpansionsPerStep} times and no chain would count as clean. An MCTS rollout ends at a rejected
         * step, and only chains without one count towards {@link #agreement}.
         *
         * @throws IllegalArgumentException if not in (0, 1] (NaN included)
         */
        public Builder acceptReward(double acceptReward) {
            if (!(acceptReward > 0 && acceptReward <= 1)) {
                throw new IllegalArgumentException("acceptReward must be in (0, 1], was " + acceptReward);
            }
            this.acceptReward = acceptReward;
            strategySettings.add("acceptReward");
            return this;
        }

        /**
         * The exploration constant {@code c} of MCTS's selection by UCT, a child's mean value plus
         * {@code c * sqrt(ln N / n)} (default {@value StepSearch#DEFAULT_EXPLORATION_CONSTANT}; the values backed up
         * are in [0, 1]): higher tries the less visited chains more.
         *
         * @throws IllegalArgumentException if not finite and above 0
         */
        public Builder explorationConstant(double explorationConstant) {
            this.explorationConstant = Arguments.positive(explorationConstant, "explorationConstant");
            strategySettings.add("explorationConstant");
            return this;
        }

        /**
         * @throws IllegalStateException if neither a model nor a gateway was set, request parameters were set for a
         *                               local model, or a setting of another strategy was set (beam width for
         *                               best-first or MCTS, restarts for beam or MCTS, children per expansion for
         *                               MCTS, which adds one per visit; the refusal names the strategies that read it)
         */
        public StepSearch build() {
            if (model == null && gateway == null) {
                throw new IllegalStateException("model or gateway is required");
            }
            if (model != null && requestParameters != null) {
                throw new IllegalStateException("requestParameters is a setting of a served model (gateway), not of "
                        + "the local model " + model.modelId());
            }
            STRATEGY_SETTINGS.forEach((setting, strategies) -> {
                if (strategySettings.contains(setting) && !strategies.contains(strategy)) {
                    throw new IllegalStateException(setting + " is a setting of " + strategies.stream()
                            .map(Builder::describe).collect(Collectors.joining(" and "))
                            + " search, not " + describe(strategy));
                }
            });
            return new StepSearch(this);
        }

        /** Each strategy-specific setting with the strategies that read it. */
        private static Map<String, Set<Strategy>> strategySettings() {
            Map<String, Set<Strategy>> settings = new LinkedHashMap<>();
            settings.put("beamWidth", EnumSet.of(Strategy.BEAM));
            // MCTS expands one child per visit: its children per chain are maxExpansionsPerStep.
            settings.put("expansionsPerStep", EnumSet.of(Strategy.BEAM, Strategy.BEST_FIRST));
            settings.put("samples", EnumSet.of(Strategy.BEST_FIRST, Strategy.MCTS));
            settings.put("maxRestarts", EnumSet.of(Strategy.BEST_FIRST));
            settings.put("agreement", EnumSet.of(Strategy.BEST_FIRST, Strategy.MCTS));
            settings.put("acceptReward", EnumSet.of(Strategy.BEST_FIRST, Strategy.MCTS));
            settings.put("maxExpansionsPerStep", EnumSet.of(Strategy.BEST_FIRST, Strategy.MCTS));
            settings.put("explorationConstant", EnumSet.of(Strategy.MCTS));
            return settings;
        }

        /** A strategy as a refusal names it: beam, best-first, MCTS. */
        private static String describe(Strategy strategy) {
            return switch (strategy) {
                case BEAM -> "beam";
                case BEST_FIRST -> "best-first";
                case MCTS -> "MCTS";
            };
        }
    }
}
