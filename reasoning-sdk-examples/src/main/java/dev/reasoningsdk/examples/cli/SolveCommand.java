package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.AnswerGroup;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer;
import dev.reasoningsdk.impl.aggregate.LlmChainJudge;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reasoning solve [--method M] [model options] "QUESTION"}: answers one question with one aggregation
 * technique on the embedded tiny reasoner (offline, the default), a served model ({@code --provider openai|ollama
 * --base-url URL --model NAME}) or a Hugging Face ONNX export folder ({@code --model DIR}), and prints one JSON
 * object: the answer, the vote's groups and margin, why it stopped, and what it cost.
 *
 * <p>Methods, each reported as an {@link AggregationResult}: {@code majority} (self-consistency, Wang et al.,
 * 2023: {@code --samples} chains, default {@value #DEFAULT_SAMPLES}), {@code aor} (Aggregation of Reasoning, Yin et
 * al., 2024, with its dynamic sampling and defaults but for {@code --initial-samples} and {@code --max-samples}, its
 * builder's {@code initialSamples} and {@code maxSamples}, default
 * {@value AggregationOfReasoning#DEFAULT_INITIAL_SAMPLES} and {@value AggregationOfReasoning#DEFAULT_MAX_SAMPLES},
 * {@code --max-samples} at least {@code --initial-samples}; judged by the arithmetic verifier, or with
 * {@code --judge} by the sampled log-probabilities or, on a served model, the model itself as AoR's LLM judge) and the
 * step searches {@code best-first}, {@code beam} and {@code mcts} (with the settings {@code bench aggregate --live}
 * runs, {@link StepSearchSettings}; their result is the one {@link StepSearch#asAggregator()} gives,
 * {@link StepSearch#toAggregationResult(StepSearchResult)}, with the search's own result kept for its path and
 * expansions). Majority and AoR run through {@link Aggregator#solve}. A run that sampled nothing because every model
 * call failed (a server that answers each call with an error) is a failed run whatever the method, as
 * {@link Aggregator#solve} has it: exit 1 with the {@link ReasoningException}'s one line on stderr (how many calls
 * failed, by kind) and nothing on stdout, as every command reports a model failure; an endpoint that refused every call
 * as it refuses a wrong URL, model or key, or as a client error the request itself causes (a 400 for a
 * {@code --max-tokens} over its limit), is bad input (exit 2, one line with the server's reply).
 * Sampling methods draw at {@code --temperature}
 * (default {@value SamplingOptions#DEFAULT_TEMPERATURE}), sample {@code i} with seed {@code --seed + i} (default 0); a
 * step search's row {@code i} has seed {@code --seed + i}. {@code --max-tokens} (majority and AoR) caps each sample:
 * the embedded model's generation length, or on a served model each sample request's {@code maxOutputTokens}
 * (OpenAI's {@code max_tokens}, Ollama's {@code num_predict}; at most the context with {@code --model DIR}), while an
 * LLM judge's calls keep the server's length; a sample cut at the cap is truncated and does not vote. An option that
 * the chosen method does not read is refused, as is {@code --judge llm} on the embedded model (it cannot judge).
 */
@Command(name = "solve", mixinStandardHelpOptions = true,
        description = "Answer one question with an aggregation technique (majority, aor, best-first, beam, mcts) on "
                + "the embedded tiny reasoner or your own model, printing one JSON object.")
final class SolveCommand implements Callable<Integer> {

    /** The method without {@code --method}: AoR, the technique that needs no tuning for a new model. */
    static final String DEFAULT_METHOD = "aor";
    /** Majority's chains by default: {@link MajorityVote}'s own default. */
    static final int DEFAULT_SAMPLES = 20;

    /** The step searches, by their CLI name. */
    private static final List<String> STEP_SEARCHES = List.of("best-first", "beam", "mcts");
    private static final List<String> METHODS = List.of("majority", "aor", "best-first", "beam", "mcts");
    private static final List<String> JUDGES = List.of("verifier", "likelihood", "llm");

    /** Each method's own options: an option in another method's list is refused when not in the chosen one's. */
    private static final Map<String, List<String>> OPTIONS_BY_METHOD = Map.of(
            "majority", List.of("--samples", "--temperature", "--max-tokens"),
            "aor", List.of("--judge", "--initial-samples", "--max-samples", "--temperature", "--max-tokens"),
            "best-first", List.of("--step-tokens", "--step-max-tokens"),
            "beam", List.of("--step-tokens", "--step-max-tokens"),
            "mcts", List.of("--step-tokens", "--step-max-tokens"));

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "QUESTION", description = "The question to answer, in quotes.")
    String question;

    @Option(names = "--method", paramLabel = "M", description = "majority, aor, best-first, beam or mcts (default: "
            + DEFAULT_METHOD + ").")
    String method = DEFAULT_METHOD;

    @Option(names = "--judge", paramLabel = "verifier|likelihood|llm", description = "AoR's judge: the arithmetic "
            + "verifier (default), the sampled log-probabilities, or the served model itself (--provider openai or "
            + "ollama, or --model DIR).")
    String judge = "verifier";

    @Option(names = "--samples", description = "Chains majority votes on (default: ${DEFAULT-VALUE}).")
    int samples = DEFAULT_SAMPLES;

    @Option(names = "--initial-samples", paramLabel = "N", description = "Chains aor samples before judging "
            + "(default: ${DEFAULT-VALUE}, AoR's).")
    int initialSamples = AggregationOfReasoning.DEFAULT_INITIAL_SAMPLES;

    @Option(names = "--max-samples", paramLabel = "N", description = "Most chains aor samples in all, at least "
            + "--initial-samples (default: ${DEFAULT-VALUE}, AoR's).")
    int maxSamples = AggregationOfReasoning.DEFAULT_MAX_SAMPLES;

    /** {@code --temperature} and {@code --max-tokens}, of majority and aor. */
    @Mixin
    SamplingOptions sampling;

    @Option(names = "--seed", description = "First seed: sample i (a step search's row i) has seed + i "
            + "(default: ${DEFAULT-VALUE}).")
    long seed = BenchAggregateCommand.DEFAULT_SEED;

    @Option(names = "--step-tokens", description = "Tokens per expansion of a step search (default: "
            + "${DEFAULT-VALUE}).")
    int stepTokens = StepSearchSettings.STEP_TOKENS;

    @Option(names = "--step-max-tokens", description = "Token budget of a step search (default: ${DEFAULT-VALUE}).")
    long stepMaxTokens = StepSearchSettings.MAX_TOKENS;

    @Override
    public Integer call() {
        if (question.isBlank()) {
            throw new IllegalArgumentException("QUESTION is blank: give the question to answer, in quotes");
        }
        ModelOptions.requireOneOf(method, METHODS, "--method");
        ModelOptions.refuseOtherMethodsOptions(spec, method, OPTIONS_BY_METHOD);
        ModelOptions.requireOneOf(judge, JUDGES, "--judge");
        Arguments.atLeast(samples, 1, "--samples");
        Arguments.atLeast(initialSamples, 1, "--initial-samples");
        Arguments.atLeast(maxSamples, 1, "--max-samples");
        if (maxSamples < initialSamples) {
            throw new IllegalArgumentException("--max-samples must be >= --initial-samples (" + initialSamples
                    + "), was " + maxSamples);
        }
        Arguments.atLeast(stepTokens, 1, "--step-tokens");
        Arguments.atLeast(stepMaxTokens, 1L, "--step-max-tokens");
        sampling.check();
        ModelEndpoint endpoint = modelOptions.endpoint();
        cache.requireRemote(endpoint);
        if ("llm".equals(judge) && !endpoint.isServed()) {
            throw new IllegalArgumentException("--judge llm needs a served model (--provider openai or ollama, or "
                    + "--model DIR): the embedded tiny reasoner cannot judge chains");
        }
        RemoteModel.requireReachable(endpoint, cache);
        BenchReport report;
        try (CacheOption closing = cache) {
            report = endpoint.isServed() ? solveServed(endpoint) : solveEmbedded(endpoint);
            cache.report(report);
        }
        report.print(System.out, true);
        return 0;
    }

    /** The method on the embedded tiny reasoner, in process. */
    private BenchReport solveEmbedded(ModelEndpoint endpoint) {
        try (HuggingFaceOnnxModel model = TinyReasoner.create()) {
            ModelEndpoint.requireReadable(model, question, "it", "QUESTION");
            Solved solved;
            if (STEP_SEARCHES.contains(method)) {
                solved = search(StepSearch.builder().model(model).seed(seed));
            } else {
                solved = aggregate(votingMethod(sampling.sampler(model), null));
            }
            return solved.report().put("endpoint", endpoint.describe().put("model", model.modelId()));
        }
    }

    /**
     * The method on a served model, or on an export folder served on loopback in process: step searches continue
     * the partial chain as a final assistant message ({@link RemoteModel#continuing()}).
     */
    private BenchReport solveServed(ModelEndpoint endpoint) {
        try (HuggingFaceOnnxModel folder = endpoint.isFolder() ? endpoint.folderLoader().build() : null;
             RemoteModel remote = RemoteModel.open(endpoint, folder, cache)) {
            ModelEndpoint.requireFolderReads(folder, question, sampling.maxTokens);
            Solved solved;
            try {
                solved = STEP_SEARCHES.contains(method)
                        ? search(StepSearchSettings.servedBuilder(remote.gateway(), remote.continuing(), seed))
                        : aggregate(votingMethod(sampling.sampler(remote), LlmChainJudge.builder()
                                .gateway(remote.gateway()).build()));
            } catch (ReasoningException failed) {
                // An endpoint that refused every call (a wrong URL, model or key, or a request it refuses, such as a
                // --max-tokens over its limit) is bad input, not a failed run.
                remote.describe(Usage.NONE);
                throw failed;
            }
            return solved.report().put("endpoint", remote.describe(solved.result().usage()));
        }
    }

    /**
     * The embedded model's sampler at {@code temperature}, each sample cut at {@code maxTokens} when given
     * ({@code --max-tokens}), as every command that samples the tiny reasoner in process builds it.
     */
    static LocalModelSampler localSampler(HuggingFaceOnnxModel model, double temperature, Integer maxTokens) {
        LocalModelSampler.Builder sampler = LocalModelSampler.builder().model(model).temperature(temperature);
        if (maxTokens != null) {
            sampler.maxTokens(maxTokens);
        }
        return sampler.build();
    }

    /** Majority or AoR over {@code sampler}; {@code llmJudge} is AoR's judge with {@code --judge llm}. */
    private Aggregator votingMethod(ChainSampler sampler, ChainScorer llmJudge) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        if ("majority".equals(method)) {
            return MajorityVote.builder().extractor(numeric).sampler(sampler, sampling.temperature).seed(seed)
                    .samples(samples).build();
        }
        ChainScorer scorer = switch (judge) {
            case "likelihood" -> LikelihoodChainScorer.fromSampledLogProbs();
            case "llm" -> llmJudge;
            default -> ArithmeticVerifier.builder().build();
        };
        return AggregationOfReasoning.builder().extractor(numeric).scorer(scorer).sampler(sampler, sampling.temperature)
                .initialSamples(initialSamples).maxSamples(maxSamples).seed(seed).build();
    }

    private Solved aggregate(Aggregator aggregator) {
        long started = System.nanoTime();
        AggregationResult result = aggregator.solve(question);
        return new Solved(method, result, null, Duration.ofNanos(System.nanoTime() - started), settings());
    }

    /** The step search of {@code --method} with the bench's settings on {@code search}, which names the model. */
    private Solved search(StepSearch.Builder search) {
        StepSearch built = switch (method) {
            case "beam" -> StepSearchSettings.beam(search, stepTokens, stepMaxTokens);
            case "mcts" -> StepSearchSettings.mcts(search, stepTokens, stepMaxTokens);
            default -> StepSearchSettings.bestFirst(search, stepTokens, stepMaxTokens, true);
        };
        long started = System.nanoTime();
        // The aggregation built.asAggregator().solve(question) returns, with the search's own result kept for its
        // path: a search whose every call failed throws, as majority and AoR do when they sampled nothing.
        StepSearchResult found = built.solve(question);
        return new Solved(method, built.toAggregationResult(found), found,
                Duration.ofNanos(System.nanoTime() - started), StepSearchSettings.settingsReport(built.settings()));
    }

    /** The settings majority or AoR ran with, as the report states them. */
    private BenchReport settings() {
        BenchReport settings = new BenchReport().put("temperature", sampling.temperature).put("seed", seed);
        if ("majority".equals(method)) {
            settings.put("samples", samples);
        } else {
            settings.put("judge", judge).put("initial_samples", initialSamples).put("max_samples", maxSamples);
        }
        if (sampling.maxTokens != null) {
            settings.put("max_tokens", sampling.maxTokens);
        }
        return settings;
    }

    /**
     * What one method gave.
     *
     * @param method   the CLI's name of the method ({@code --method})
     * @param result   its aggregation result
     * @param search   a step search's own result (its path and expansions); null for majority and AoR
     * @param wall     how long it ran
     * @param settings what it ran with
     */
    private record Solved(String method, AggregationResult result, StepSearchResult search, Duration wall,
                          BenchReport settings) {

        /** The JSON the command prints, but for the endpoint. */
        BenchReport report() {
            List<Map<String, Object>> groups = new ArrayList<>();
            for (AnswerGroup group : result.groups()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("answer", group.answer());
                entry.put("votes", group.votes());
                entry.put("score", group.score());
                groups.add(entry);
            }
            BenchReport report = new BenchReport().put("method", method)
                    .put("technique", result.method())
                    .put("answer", result.answer().orElse(null)).put("groups", groups).put("margin", result.margin())
                    .put("stop_reason", result.stopReason().name().toLowerCase(Locale.ROOT))
                    .put("unparseable_chains", result.unparseableChains());
            // The cost under the names every command's usage has, timed around the method's whole run.
            BenchReport.usage(result.usage().withWallTime(wall)).figures().forEach(report::put);
            // What every method's chains cost to generate, as bench aggregate reports it: a run replayed from
            // --cache counts the tokens its replies were recorded with (its usage counts them as cache hits).
            report.put("generated_tokens", result.generatedTokens());
            if (search != null) {
                List<Map<String, Object>> path = new ArrayList<>();
                for (StepSearchResult.Step step : search.path()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("text", step.text());
                    entry.put("reward", step.reward());
                    path.add(entry);
                }
                report.put("expansions", search.expansions()).put("complete", search.complete())
                        .put("context_cut_offs", search.contextCutOffs()).put("path", path);
            }
            return report.put("settings", settings);
        }
    }
}
