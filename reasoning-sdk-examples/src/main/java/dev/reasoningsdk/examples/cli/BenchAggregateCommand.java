package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.TokenUsageUnavailableException;
import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.aggregate.ChainScorer;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.LikelihoodChainScorer;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.aggregate.SourceReliability;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.aggregate.StepSearch;
import dev.reasoningsdk.impl.aggregate.StepSearchResult;
import dev.reasoningsdk.impl.aggregate.WeightedVote;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.openai.OpenAiChatModels;
import dev.reasoningsdk.impl.server.LocalOpenAiServer;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench aggregate}: answer aggregation on real chains and, with {@code --live}, on chains sampled
 * from the tiny reasoner.
 *
 * <p>Offline, on GSM8K's four real model solutions per question (or on labelled chains in the format {@code verifier
 * sample} writes, such as a user's own model's): majority vote, a vote weighted by Dawid-Skene source reliability
 * (fitted without labels on the same questions), and AoR over the given chains with the arithmetic verifier as judge
 * (chains carry their source's reliability weight, which only breaks score ties), next to the data's own baselines, and
 * the learned verifier (the shipped weights, or {@code --learned-verifier}) on the questions it never saw. Live: for
 * each problem, 40 chains are sampled once at temperature 0.8; majority@k uses the first k, and AoR's dynamic sampling
 * consumes the same chains in order (sample {@code i} always has seed {@code --seed + i}, so this equals sampling
 * anew); a step search's row {@code i} has seed {@code --seed + i}. AoR's likelihood judge reads the log-probabilities
 * each chain was sampled with, in process and from a remote model alike ({@link
 * LikelihoodChainScorer#fromSampledLogProbs()}), so a served tiny reasoner ({@code reasoning serve}) gives the
 * in-process figures exactly; where the model returns none, that judge is reported as skipped.
 */
@Command(name = "aggregate", mixinStandardHelpOptions = true,
        description = "Aggregation accuracy: majority, reliability-weighted vote and AoR on real GSM8K chains; "
                + "with --live, majority@k and AoR on the tiny reasoner.")
public final class BenchAggregateCommand implements Callable<Integer> {

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    /**
     * What a bench reports for a part that needs token log-probabilities the model did not return (Ollama's API, or
     * an OpenAI-compatible server that ignores {@code logprobs}).
     */
    static BenchReport skippedWithoutLogProbs(LogProbsUnavailableException e) {
        return new BenchReport().put("skipped", "needs log-probabilities: " + e.getMessage());
    }

    private static final int[] KS = {1, 5, 10, 20, 40};
    /** Chains sampled once per live problem: the most AoR draws, and majority@k's largest k. */
    private static final int CHAINS_PER_PROBLEM = AggregationOfReasoning.DEFAULT_MAX_SAMPLES;
    /** The temperature live chains are sampled at without {@code --temperature}; {@code solve}'s default too. */
    static final double TEMPERATURE = SamplingOptions.DEFAULT_TEMPERATURE;

    /**
     * {@code --temperature} and {@code --max-tokens} of the live chains majority and AoR vote on (the step searches
     * keep their own settings); set here for a bench made without picocli, as the tests make one.
     */
    @Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--data", paramLabel = "FILE", description = "GSM8K model solutions, or labelled chains as "
            + "verifier sample writes them (default: " + ModelSolutions.DEFAULT_FILE + " in the project's data "
            + "folder, or ../shared).")
    Path data;

    @Option(names = "--live", description = "Also sample from the model (--provider; default the tiny reasoner).")
    boolean live;

    @Option(names = "--problems", description = "Tiny-reasoner eval problems (default: "
            + BenchReasonerCommand.EVAL_FILE + " in the project's data folder, or ../shared).")
    Path problems;

    /** Live problems by default; training never reads the rows they select ({@link TrainingRows}). */
    static final int DEFAULT_LIVE_LIMIT = 200;

    @Option(names = "--max-problems", paramLabel = "N", description = "Live problems, spread evenly over the file "
            + "(default: ${DEFAULT-VALUE}).")
    int maxProblems = DEFAULT_LIVE_LIMIT;

    /** {@code --max-problems}' deprecated name ({@link DeprecatedOption}). */
    @Option(names = "--limit", hidden = true,
            description = DeprecatedOption.PREFIX + "--max-problems", paramLabel = "N")
    void limit(int problems) {
        maxProblems = problems;
    }

    @Option(names = "--lean-initial", description = "Initial samples of the lean AoR run (default: ${DEFAULT-VALUE}).")
    int leanInitial = 5;

    @Option(names = "--step-tokens", description = "Tokens per expansion of the step search (default: "
            + "${DEFAULT-VALUE}).")
    int stepTokens = StepSearchSettings.STEP_TOKENS;

    @Option(names = "--step-max-tokens", description = "Token budget of one step search (default: ${DEFAULT-VALUE}).")
    long stepMaxTokens = StepSearchSettings.MAX_TOKENS;

    @Option(names = "--threads", description = "ONNX intra-op threads for --live (default: ${DEFAULT-VALUE}).")
    int threads = 2;

    /** The live run's first seed by default: the one the shipped figures were measured with. */
    static final long DEFAULT_SEED = 0;

    @Option(names = "--seed", description = "First seed of the live run: a problem's chain i is sampled with seed + i "
            + "(majority@k and AoR read the same " + AggregationOfReasoning.DEFAULT_MAX_SAMPLES + "), and a step "
            + "search's row i with seed + i (default: ${DEFAULT-VALUE}, which the shipped figures were measured "
            + "with).")
    long seed = DEFAULT_SEED;

    @Option(names = "--learned-verifier", paramLabel = "FILE", description = "Weights of the learned_verifier "
            + "entries (verifier train --out; default: the shipped weights, trained on GSM8K's chains). Offline they "
            + "score only the --data questions they never saw; live, they are refused if trained on any selected "
            + "problem.")
    Path learnedVerifier;

    @Option(names = "--step-reward", paramLabel = "FILE", description = "The process-reward head of "
            + "step_search.best_first_learned: the " + HiddenStateStepReward.SHIPPED_RESOURCE + " that step-reward "
            + "train --out writes (default: the tiny reasoner's shipped head; with --model DIR none ships, so "
            + "best_first_learned needs this). Refused if trained for another model, on any selected problem, "
            + "without a record of its training problems, or with --provider openai or ollama (hidden states are "
            + "read in process).")
    Path stepReward;

    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /** The options only the live bench reads: given without {@code --live}, they would be silently ignored. */
    private static final List<String> LIVE_OPTIONS = List.of("--problems", "--max-problems", "--limit",
            "--temperature", "--max-tokens", "--lean-initial", "--step-tokens", "--step-max-tokens", "--threads",
            "--step-reward", "--seed");

    /** The export folder's model of {@code --model DIR}, loaded before anything runs; null otherwise. */
    private HuggingFaceOnnxModel folderModel;

    /** The live problems' file ({@code --problems} or the default); null without {@code --live}. */
    private Path problemsFile;

    /** The head of {@code --step-reward}, checked against the model and the selection; null without it. */
    private HiddenStateStepReward.Weights stepRewardHead;

    @Override
    public Integer call() throws IOException {
        DeprecatedOption.refuseBoth(spec, "--limit", "--max-problems");
        ModelOptions.requireLiveFor(spec, live, LIVE_OPTIONS);
        // Checked here, named as the caller wrote them, rather than by a builder once the offline half has run.
        Arguments.atLeast(maxProblems, 1, "--max-problems");
        Arguments.atLeast(leanInitial, 1, "--lean-initial");
        if (leanInitial > CHAINS_PER_PROBLEM) {
            throw new IllegalArgumentException("--lean-initial must be <= " + CHAINS_PER_PROBLEM + ", was "
                    + leanInitial + " (the chains drawn per problem, AoR's most)");
        }
        Arguments.atLeast(stepTokens, 1, "--step-tokens");
        Arguments.atLeast(stepMaxTokens, 1L, "--step-max-tokens");
        Arguments.atLeast(threads, 1, "--threads");
        sampling.check();
        ModelEndpoint endpoint = modelOptions.endpoint();
        ModelOptions.requireLive(endpoint, live);
        cache.requireRemote(endpoint);
        RemoteModel.requireReachable(endpoint, cache);
        if (learnedVerifier != null) {
            TextFiles.requireRegularFile(learnedVerifier, "no such file (--learned-verifier)");
        }
        LearnedVerifier.Weights verifierWeights = learnedVerifier != null
                ? LearnedVerifier.Weights.read(learnedVerifier)
                : LearnedVerifier.Weights.shipped();
        String weightsName = learnedVerifier != null ? learnedVerifier.toString() : "shipped";
        BenchReport report = new BenchReport();
        Path gsm8kFile = data != null ? data : SharedData.require(ModelSolutions.DEFAULT_FILE, "--data");
        // A repeated question is refused: it would be scored twice, weighing double in every figure.
        List<VerifierTrainer.LabelledChains> questions = LabelledChainsFile.readDistinct(gsm8kFile);
        // Both files are read before anything runs, so a bad row in either is reported at once.
        problemsFile = !live ? null : problems != null ? problems
                : SharedData.require(BenchReasonerCommand.EVAL_FILE, "--problems");
        List<JsonNode> liveProblems = !live ? List.of() : JsonlRows.distinctProblems(problemsFile);
        if (stepReward != null) {
            stepRewardHead = stepRewardHead(endpoint, JsonlRows.evenlySpaced(liveProblems, maxProblems));
        }
        // The folder is loaded before the offline half, so a folder its loader refuses, or a problem its model
        // cannot read, exits 2 at once.
        try (HuggingFaceOnnxModel loaded = endpoint.isFolder() ? withHeadLayer(endpoint.folderLoader()
                .intraOpThreads(threads)).build() : null) {
            folderModel = loaded;
            if (loaded != null) {
                requireReadable(loaded, liveProblems);
                sampling.requireFits(loaded);
            }
            report.put("gsm8k", gsm8k(gsm8kFile, questions).put("learned_verifier",
                    LearnedVerifierBench.report(gsm8kFile, questions, verifierWeights, weightsName)));
            if (live) {
                try (CacheOption closing = cache) {
                    report.put("live", live(liveProblems, endpoint, verifierWeights, weightsName));
                    cache.report(report);
                }
            }
        }
        report.print(System.out, json);
        return 0;
    }

    /**
     * The {@code --step-reward} head, refused (one line, exit 2) when the model is remote, when it was trained for
     * another model id, when it does not record its training problems, or when it was trained on any of
     * {@code selected}: its figures would then be measured partly on what it learned.
     */
    private HiddenStateStepReward.Weights stepRewardHead(ModelEndpoint endpoint, List<JsonNode> selected)
            throws IOException {
        if (endpoint.isRemote()) {
            throw new IllegalArgumentException("--step-reward reads the model's hidden states, which only a model in "
                    + "process has: not with --provider " + endpoint.providerName() + " (give --model DIR, the "
                    + "export folder the head was trained for)");
        }
        TextFiles.requireRegularFile(stepReward, "no such file (--step-reward)");
        HiddenStateStepReward.Weights head = HiddenStateStepReward.Weights.read(stepReward);
        String modelId = endpoint.isFolder() ? endpoint.model() : TinyReasoner.MODEL_ID;
        if (!head.modelId().equals(modelId)) {
            throw new IllegalArgumentException("--step-reward " + stepReward + " was trained for the model '"
                    + head.modelId() + "', not for '" + modelId + "' that this run reads"
                    + (endpoint.isFolder() ? " (--model " + endpoint.folder() + ")" : "")
                    + "; train one for it with step-reward train");
        }
        if (!head.provenance().recordsTrainingProblems()) {
            throw new IllegalArgumentException("--step-reward " + stepReward + " does not record its training "
                    + "problems, so whether it was trained on the selected ones cannot be told; retrain it with "
                    + "step-reward train");
        }
        long seen = trainedOnSelected(selected, head.provenance()::trainedOn);
        if (seen > 0) {
            throw new IllegalArgumentException("--step-reward " + stepReward + " was trained on " + seen + " of the "
                    + selected.size() + " selected problems; train it on others (step-reward train leaves out the "
                    + "default selection)");
        }
        return head;
    }

    /** {@code loader} reading the {@code --step-reward} head's hidden-state layer, when it is not the final one. */
    private HuggingFaceOnnxModel.Builder withHeadLayer(HuggingFaceOnnxModel.Builder loader) {
        return stepRewardHead == null || stepRewardHead.layer() == -1 ? loader
                : loader.hiddenStateLayers(stepRewardHead.layer());
    }

    private static BenchReport gsm8k(Path file, List<VerifierTrainer.LabelledChains> questions) throws IOException {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SourceReliability reliability = SourceReliability.fit(numeric,
                questions.stream().map(VerifierTrainer.LabelledChains::chains).toList());
        AggregationOfReasoning verifierAor = AggregationOfReasoning.builder().extractor(numeric)
                .scorer(ArithmeticVerifier.builder().wholeNumberAnswers(true).build()).build();
        Map<String, Aggregator> methods = new LinkedHashMap<>();
        methods.put("majority", MajorityVote.of(numeric));
        methods.put("weighted_reliability", WeightedVote.bySourceReliability(numeric, reliability));
        methods.put("verifier", verifierAor);
        methods.put("verifier_unweighted", verifierAor);
        Map<String, Integer> right = new LinkedHashMap<>();
        methods.keySet().forEach(name -> right.put(name, 0));
        SourceAccuracy sourceAccuracy = new SourceAccuracy(numeric);
        int oracle = 0;
        Progress progress = new Progress("aggregate gsm8k");
        for (int q = 0; q < questions.size(); q++) {
            VerifierTrainer.LabelledChains question = questions.get(q);
            oracle += sourceAccuracy.add(question) ? 1 : 0;
            List<ReasoningChain> weighted = question.chains().stream().map(c -> new ReasoningChain(c.text(),
                    c.source(), reliability.sourceWeight(c.source()))).toList();
            for (Map.Entry<String, Aggregator> method : methods.entrySet()) {
                List<ReasoningChain> chains = method.getKey().equals("verifier") ? weighted : question.chains();
                AggregationResult result = method.getValue().aggregate(question.question(), chains);
                right.merge(method.getKey(), correct(numeric, result.answer(), question.gold()) ? 1 : 0,
                        Integer::sum);
            }
            progress.update(q + 1, questions.size());
        }
        int n = questions.size();
        BenchReport report = new BenchReport().put("data", String.valueOf(file.getFileName())).put("n_questions", n);
        for (Map.Entry<String, Integer> method : right.entrySet()) {
            report.put(method.getKey(), new BenchReport().put("accuracy", share(method.getValue(), n)));
        }
        BenchReport sources = new BenchReport();
        sourceAccuracy.accuracies().forEach((source, accuracy) -> {
            BenchReport entry = new BenchReport().put("accuracy", round(accuracy));
            Double estimate = reliability.accuracies().get(source);
            // A source that answered nothing has no estimate; rounded, the missing one printed as 0.
            if (estimate != null) {
                entry.put("reliability_estimate", round(estimate));
            } else {
                entry.put("reliability_note", "no answer of this source to fit on: its weight is an unknown "
                        + "source's (the mean reliability's), and it casts no vote");
            }
            sources.put(source, entry.put("weight", round(reliability.sourceWeight(source))));
        });
        report.put("baselines", new BenchReport().put("best_single_model", round(sourceAccuracy.best()))
                .put("majority_first_seen_ties", share(right.get("majority"), n)).put("oracle", share(oracle, n)));
        report.put("sources", sources);
        ModelSolutions.checkLabels(file).addTo(report);
        report.put("notes", "weighted_reliability: one-coin Dawid-Skene (K=" + reliability.alternatives()
                + ") fitted without labels on these questions; verifier: AoR (threshold "
                + number(AggregationOfReasoning.DEFAULT_SCORE_THRESHOLD) + ", "
                + AggregationOfReasoning.DEFAULT_REPRESENTATIVES + " representatives) with the arithmetic verifier "
                + "(whole-number answers), chains weighted by source reliability for score ties; "
                + "verifier_unweighted: the same with unit weights");
        return report;
    }

    private BenchReport live(List<JsonNode> rows, ModelEndpoint endpoint, LearnedVerifier.Weights verifierWeights,
                             String weightsName) throws IOException {
        List<JsonNode> selected = JsonlRows.evenlySpaced(rows, maxProblems);
        VerifierProvenance provenance = verifierWeights.provenance();
        long seen = !provenance.recordsTrainingQuestions() ? 0 : trainedOnSelected(selected, provenance::trainedOn);
        if (seen > 0) {
            throw new IllegalArgumentException("the learned verifier " + weightsName + " was trained on " + seen
                    + " of the " + selected.size() + " selected problems; "
                    + "train it on others (verifier sample leaves out the default selection)");
        }
        try (AllMiniLmL6V2Encoder encoder = verifierWeights.readsEmbeddings() ? AllMiniLmL6V2Encoder.create() : null) {
            LearnedVerifier.Builder verifier = LearnedVerifier.builder().weights(verifierWeights);
            if (encoder != null) {
                verifier.encoder(encoder);
            }
            Map<String, ChainScorer> scorers = new LinkedHashMap<>();
            // Both paths judge a chain by the log-probabilities it was sampled with: no model call, and the same
            // numbers whether the tiny reasoner runs here or behind an OpenAI-compatible server.
            scorers.put("likelihood", LikelihoodChainScorer.fromSampledLogProbs());
            scorers.put("verifier", ArithmeticVerifier.builder().wholeNumberAnswers(true).build());
            scorers.put("learned_verifier", verifier.build());
            return live(rows, selected, scorers, endpoint).put("learned_verifier", new BenchReport()
                    .put("weights", weightsName)
                    .put("trained_on", provenance.data()).put("features", provenance.features()));
        }
    }

    /** How many of the selected problems a learned head was trained on, by the questions it recorded. */
    private static long trainedOnSelected(List<JsonNode> selected, Predicate<String> trainedOn) {
        return selected.stream().filter(problem -> trainedOn.test(problem.path("question").asText())).count();
    }

    /** The live half on {@code selected}, the problems of {@code rows} that {@code --max-problems} selects. */
    private BenchReport live(List<JsonNode> rows, List<JsonNode> selected, Map<String, ChainScorer> scorers,
                             ModelEndpoint endpoint) {
        if (endpoint.isServed()) {
            // An export folder is served on loopback in process and called as a served model is, so its figures
            // are those of reasoning serve --model DIR with --provider openai by construction.
            try (RemoteModel remote = RemoteModel.open(endpoint, folderModel, cache)) {
                Map<String, StepSearch> searches = new LinkedHashMap<>(StepSearchSettings.served(remote.gateway(),
                        remote.continuing(), seed, stepTokens, stepMaxTokens));
                String notes = "; " + (endpoint.isFolder() ? "the export folder is served in process (as reasoning "
                        + "serve --model DIR serves it, on loopback) and " : "on the served model ")
                        + "each step-search row is one call through the run's gateway that continues the partial "
                        + "chain as a final assistant message";
                Map<String, String> skipped = Map.of();
                if (stepRewardHead != null) {
                    // The learned reward reads hidden states: it searches the loaded model itself, not over calls.
                    searches.put("best_first_learned", StepSearchSettings.bestFirstLearned(folderModel,
                            HiddenStateStepReward.builder().model(folderModel).weights(stepRewardHead).build(), seed,
                            stepTokens, stepMaxTokens));
                    notes += "; " + StepSearchSettings.describeLearned(stepRewardHead) + "; head: " + stepReward
                            + "; best_first_learned decodes the loaded model directly (its calls are not in "
                            + "--max-calls)";
                } else if (endpoint.isFolder()) {
                    skipped = Map.of("best_first_learned", "needs --step-reward FILE: no process-reward head ships "
                            + "for " + endpoint.model() + " (train one with step-reward train --model DIR --out DIR)");
                }
                LiveRun run = liveRun(selected, sampling.sampler(remote), scorers,
                        new LiveSearches(searches, skipped, notes), remote::shouldStop);
                return run.report(endpoint.model(), scorers.keySet())
                        .put("endpoint", remote.describeUsable(run.usage, "no live figures"));
            }
        }
        try (HuggingFaceOnnxModel model = withHeadLayer(TinyReasoner.builder().intraOpThreads(threads)).build();
             LocalOpenAiServer server = LocalOpenAiServer.start(model);
             ModelGateway gateway = ModelGateway.of(OpenAiChatModels.builder().baseUrl(server.baseUrl())
                     .modelName(server.modelName()).build())) {
            requireReadable(model, rows);
            LocalModelSampler sampler = sampling.sampler(model);
            Supplier<StepSearch.Builder> search = () -> StepSearch.builder().model(model).seed(seed);
            Map<String, StepSearch> searches = new LinkedHashMap<>();
            searches.put("beam", StepSearchSettings.beam(search.get(), stepTokens, stepMaxTokens));
            searches.put("best_first", StepSearchSettings.bestFirst(search.get(), stepTokens, stepMaxTokens, true));
            searches.put("mcts", StepSearchSettings.mcts(search.get(), stepTokens, stepMaxTokens));
            searches.put("best_first_without_calculator",
                    StepSearchSettings.bestFirst(search.get(), stepTokens, stepMaxTokens, false));
            // The same best-first search through the SDK's served-model path: HTTP, the OpenAI client, the gateway.
            searches.put("best_first_served", StepSearchSettings.bestFirstServed(gateway, seed, stepTokens,
                    stepMaxTokens));
            HiddenStateStepReward learned = stepRewardHead == null ? HiddenStateStepReward.tinyReasoner(model)
                    : HiddenStateStepReward.builder().model(model).weights(stepRewardHead).build();
            long trainedOn = trainedOnSelected(selected, learned.weights().provenance()::trainedOn);
            Map<String, String> skipped = Map.of();
            if (trainedOn == 0) {
                searches.put("best_first_learned", StepSearchSettings.bestFirstLearned(model, learned, seed,
                        stepTokens, stepMaxTokens));
            } else {
                // Its figures would be measured partly on what the head was trained on.
                skipped = Map.of("best_first_learned", trainedOn + " of the " + selected.size()
                        + " selected problems are among the learned process reward's training problems; the "
                        + "default selection (" + DEFAULT_LIVE_LIMIT + " of the project's eval problems) holds none");
            }
            LiveRun run = liveRun(selected, sampler, scorers, new LiveSearches(searches, skipped,
                    "; " + StepSearchSettings.describeLearned(learned.weights())), () -> false);
            return run.report(model.modelId(), scorers.keySet())
                    .put("endpoint", endpoint.describe().put("usage", BenchReport.usage(run.usage)));
        }
    }

    /**
     * Refuses, before any problem runs, a problem of {@code rows} that {@code --max-problems} selects and the model in
     * process cannot read (a character outside its vocabulary, a prompt that fills its context), naming its row of
     * the file: the step searches stopped the run on it only when they reached it, minutes in, with the model's
     * message alone, and an export folder's calls on it failed one by one, served on loopback.
     */
    private void requireReadable(CausalLanguageModel model, List<JsonNode> rows) {
        ModelEndpoint.requireReadable(model, problemsFile, JsonlRows.evenlySpacedRows(rows.size(), maxProblems),
                row -> rows.get(row).path("question").asText());
    }

    /**
     * The step searches of a live run.
     *
     * @param searches    the searches to run, by name
     * @param skipped     searches not run, with why
     * @param notes       what the searches add to the report's notes: the learned reward, or how a served model was
     *                    searched
     */
    record LiveSearches(Map<String, StepSearch> searches, Map<String, String> skipped, String notes) {
    }

    /** Step counts reported separately (the hardest problems of the tiny reasoner's eval set). */
    private static final int[] SEPARATE_STEPS = {5, 6};

    /**
     * What the live loop counted per method: right answers, samples, generated tokens and expansions (index 0-3), in
     * total and for the problems of each step count in {@link #SEPARATE_STEPS}; problems done; the sampling cost.
     */
    final class LiveRun {
        final Map<String, double[]> totals = new LinkedHashMap<>();
        final Map<Integer, Map<String, double[]>> byStepCount = new LinkedHashMap<>();
        final Map<Integer, Integer> problemsByStepCount = new LinkedHashMap<>();
        /** Scorers that could not run, with why (log-probabilities the model did not return). */
        final Map<String, LogProbsUnavailableException> skipped = new LinkedHashMap<>();
        /** Each problem's answer per method, in problem order (empty: no answer). */
        final Map<String, List<String>> answers = new LinkedHashMap<>();
        final List<String> searches = new ArrayList<>();
        /** Each problem's step-search answer, by search. */
        final Map<String, List<String>> searchAnswers = new LinkedHashMap<>();
        /** Each search's model calls, failed calls and chains cut off at the model's context over all problems. */
        final Map<String, long[]> searchCalls = new LinkedHashMap<>();
        /** Searches that did not run, or stopped running, with why. */
        final Map<String, String> skippedSearches = new LinkedHashMap<>();
        /** Each search's settings as it was built ({@link StepSearch#settings()}), by search. */
        final Map<String, Map<String, Object>> searchSettings = new LinkedHashMap<>();
        /** What the searches add to the notes. */
        String searchNotes = "";
        int problems;
        int aorFailures;
        /** Samples cut off at the token limit, left out of every method's chains ({@code truncated_samples}). */
        int truncatedSamples;
        boolean budgetSpent;
        Usage usage = Usage.NONE;
        /** The step count of the problem being scored (0 when the row has none). */
        int steps;

        void answer(String method, Optional<String> answer) {
            answers.computeIfAbsent(method, m -> new ArrayList<>()).add(answer.orElse(""));
        }

        /** Drops {@code search} and what it counted so far, and reports it skipped for {@code why}. */
        void skipSearch(String search, String why) {
            searches.remove(search);
            totals.remove("step_search_" + search);
            byStepCount.values().forEach(methods -> methods.remove("step_search_" + search));
            searchAnswers.remove(search);
            searchCalls.remove(search);
            skippedSearches.put(search, why);
        }

        /** Counts one problem's outcome for {@code method}. */
        void add(String method, boolean correct, int samples, long tokens, int expansions) {
            // Unknown tokens (a provider that reports none) make the method's token figure unknown: NaN.
            accumulate(method, correct ? 1 : 0, samples, tokens == Usage.UNKNOWN_TOKENS ? Double.NaN : tokens,
                    expansions);
        }

        /**
         * Counts one problem's reward cost for {@code search}: forward passes, their prompt tokens, wall nanoseconds
         * and the search's own prompt tokens, under {@code "cost_step_search_" + search}.
         */
        void addCost(String search, double... cost) {
            accumulate("cost_step_search_" + search, cost);
        }

        /** Adds {@code figures} to {@code key}'s totals, overall and for the current problem's step count. */
        private void accumulate(String key, double... figures) {
            List<double[]> into = new ArrayList<>();
            into.add(totals.computeIfAbsent(key, m -> new double[4]));
            if (byStepCount.containsKey(steps)) {
                into.add(byStepCount.get(steps).computeIfAbsent(key, m -> new double[4]));
            }
            for (double[] total : into) {
                for (int i = 0; i < figures.length; i++) {
                    total[i] += figures[i];
                }
            }
        }

        BenchReport report(String modelName, Iterable<String> scorerNames) {
            BenchReport report = sampling.report(new BenchReport().put("model", modelName)
                    .put("n_problems", problems)).put("seed", seed)
                    .put("stop_reason", budgetSpent ? "budget_exhausted" : "completed");
            report.put("majority_at_k", majorityAtK(totals, problems));
            report.put("aor", aorFigures("aor_", totals, problems, scorerNames));
            report.put("aor_lean", aorFigures("aor_lean_", totals, problems, scorerNames));
            report.put("step_search", searchFigures(totals, problems));
            BenchReport byStep = new BenchReport();
            byStepCount.forEach((count, methods) -> {
                int n = problemsByStepCount.getOrDefault(count, 0);
                BenchReport entry = new BenchReport().put("n_problems", n);
                entry.put("majority_at_k", majorityAtK(methods, n));
                entry.put("aor_lean", aorFigures("aor_lean_", methods, n, scorerNames));
                entry.put("step_search", searchFigures(methods, n));
                byStep.put(count + "_steps", entry);
            });
            report.put("by_step_count", byStep);
            report.put("aor_without_chains", aorFailures);
            report.put("truncated_samples", truncatedSamples);
            BenchReport perProblem = new BenchReport();
            answers.forEach(perProblem::put);
            report.put("answers", perProblem);
            if (!searches.isEmpty()) {
                BenchReport searchPerProblem = new BenchReport();
                searchAnswers.forEach(searchPerProblem::put);
                report.put("step_search_answers", searchPerProblem);
            }
            report.put("notes", "aor: the issue's defaults (" + AggregationOfReasoning.DEFAULT_INITIAL_SAMPLES
                    + " initial samples, +" + AggregationOfReasoning.DEFAULT_ADDITIONAL_SAMPLES + " while the margin "
                    + "is under " + number(AggregationOfReasoning.DEFAULT_TERMINATION_MARGIN) + ", at most "
                    + AggregationOfReasoning.DEFAULT_MAX_SAMPLES + "); aor_lean: the same with " + leanInitial
                    + " initial samples; a problem whose "
                    + "samples all failed counts as wrong (aor_without_chains), with the tokens of the samples it "
                    + "drew; truncated_samples: samples cut off at "
                    + "the token limit, which no method votes with; generated_tokens: tokens the model "
                    + "generated for the samples a method drew, per problem on average, the ones cut off at the "
                    + "token limit included though they never vote (majority@k: every sample up to its k-th chain, "
                    + "or all " + CHAINS_PER_PROBLEM + " drawn when fewer than k chains finished; mean_samples "
                    + "counts the chains used); step_search: " + StepSearchSettings.describe(searchSettings)
                    + searchNotes);
            return report;
        }

        /**
         * AoR's figures under {@code prefix} by scorer, every scorer of the run named (a step count no selected problem
         * has gets its figures as NaN, as majority@k and the searches do, rather than an empty entry), and a scorer
         * that needs log-probabilities the model did not give reported as skipped.
         */
        private BenchReport aorFigures(String prefix, Map<String, double[]> from, int n, Iterable<String> scorerNames) {
            BenchReport report = new BenchReport();
            for (String scorer : scorerNames) {
                LogProbsUnavailableException unavailable = skipped.get(scorer);
                report.put(scorer, unavailable != null ? skippedWithoutLogProbs(unavailable)
                        : figures(from.get(prefix + scorer), n));
            }
            return report;
        }

        private BenchReport searchFigures(Map<String, double[]> from, int n) {
            BenchReport report = new BenchReport();
            for (String search : searches) {
                double[] total = from.get("step_search_" + search);
                BenchReport entry = total == null ? figures(null, n) : figures(total, n)
                        .put("mean_expansions", round(total[3] / n));
                double[] cost = from.get("cost_step_search_" + search);
                if (cost != null && n > 0) {
                    entry.put("reward_forward_passes", round(cost[0] / n)).put("reward_prefill_tokens",
                            round(cost[1] / n)).put("reward_wall_ms", round(cost[2] / 1e6 / n))
                            .put("search_prefill_tokens", round(cost[3] / n));
                }
                // Calls are counted over all problems only, not by step count.
                long[] calls = from == totals ? searchCalls.get(search) : null;
                if (calls != null && n > 0) {
                    entry.put("mean_calls", round((double) calls[0] / n)).put("failed_calls", calls[1])
                            .put("context_cut_offs", calls[2]);
                }
                if (from == totals) {
                    // What ran, the strategy's own defaults included, rather than what the notes say it should be.
                    entry.put("settings", StepSearchSettings.settingsReport(searchSettings.get(search)));
                }
                report.put(search, entry);
            }
            skippedSearches.forEach((search, why) -> report.put(search, new BenchReport().put("skipped", why)));
            return report;
        }
    }

    private static BenchReport majorityAtK(Map<String, double[]> from, int n) {
        BenchReport majority = new BenchReport();
        for (int k : KS) {
            majority.put(String.valueOf(k), figures(from.get("majority_at_" + k), n));
        }
        return majority;
    }

    /**
     * Samples 40 chains per problem (seeds {@code --seed} onwards) and scores majority@k and AoR per scorer on them,
     * then runs each step search on the model; stops before a problem once {@code shouldStop} says so.
     */
    LiveRun liveRun(List<JsonNode> selected, ChainSampler sampler, Map<String, ChainScorer> scorers,
                    LiveSearches live, BooleanSupplier shouldStop) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        Map<String, StepSearch> searches = live.searches();
        LiveRun run = new LiveRun();
        run.searches.addAll(searches.keySet());
        searches.forEach((name, search) -> run.searchSettings.put(name, search.settings()));
        run.skippedSearches.putAll(live.skipped());
        run.searchNotes = live.notes();
        for (int count : SEPARATE_STEPS) {
            run.byStepCount.put(count, new LinkedHashMap<>());
        }
        Progress progress = new Progress("aggregate live");
        for (JsonNode problem : selected) {
            if (shouldStop.getAsBoolean()) {
                run.budgetSpent = true;
                break;
            }
            String question = problem.path("question").asText();
            String gold = JsonlRows.gold(problem);
            run.steps = problem.path("steps").asInt(0);
            run.problemsByStepCount.merge(run.steps, 1, Integer::sum);
            ReplaySampler replay = new ReplaySampler(sampler, question, CHAINS_PER_PROBLEM, seed);
            run.usage = run.usage.plus(replay.usage());
            run.truncatedSamples += replay.truncatedSamples();
            List<ReasoningChain> all = replay.chains();
            for (int k : KS) {
                // Failed samples leave fewer than k chains: the vote takes what there is, and says so.
                // When every sample failed there is nothing to vote on: the problem counts as wrong, as AoR's does.
                List<ReasoningChain> firstK = all.subList(0, Math.min(k, all.size()));
                Optional<String> answer = firstK.isEmpty() ? Optional.empty()
                        : MajorityVote.of(numeric).aggregate(question, firstK).answer();
                // Tokens for k chains, not firstK.size(): a method short of k chains drew every sample for them.
                run.add("majority_at_" + k, correct(numeric, answer, gold), firstK.size(),
                        replay.outputTokens(k), 0);
                run.answer("majority_at_" + k, answer);
            }
            for (Map.Entry<String, ChainScorer> scorer : scorers.entrySet()) {
                if (run.skipped.containsKey(scorer.getKey())) {
                    continue;
                }
                AggregationOfReasoning.Builder aor = AggregationOfReasoning.builder().extractor(numeric)
                        .scorer(scorer.getValue()).sampler(replay, sampling.temperature);
                try {
                    solve(run, aor.build(), replay, question, gold, "aor_" + scorer.getKey());
                    solve(run, aor.initialSamples(leanInitial).build(), replay, question, gold,
                            "aor_lean_" + scorer.getKey());
                } catch (LogProbsUnavailableException unavailable) {
                    // The model returns no log-probabilities: this judge cannot run on it at all.
                    run.skipped.put(scorer.getKey(), unavailable);
                }
            }
            for (Map.Entry<String, StepSearch> search : searches.entrySet()) {
                if (run.skippedSearches.containsKey(search.getKey())) {
                    continue;
                }
                StepSearchResult result;
                try {
                    result = search.getValue().solve(question);
                } catch (TokenUsageUnavailableException noTokenUsage) {
                    // A served model that reports no token usage cannot keep a search's budget: no search runs on it.
                    // Any other failure (a model run that failed, say) fails the run.
                    run.skipSearch(search.getKey(), "needs token usage: " + noTokenUsage.getMessage());
                    continue;
                }
                Usage reward = result.rewardUsage();
                if (reward.modelCalls() > 0) {
                    // The learned reward's forward passes: part of the search's usage, reported apart as well.
                    run.addCost(search.getKey(), reward.modelCalls(), reward.inputTokens(), reward.wallTime().toNanos(),
                            result.usage().inputTokens() - reward.inputTokens());
                }
                run.usage = run.usage.plus(result.usage());
                run.add("step_search_" + search.getKey(), correct(numeric, result.answer(), gold),
                        result.usage().samples(), result.generatedTokens(), result.expansions());
                run.searchAnswers.computeIfAbsent(search.getKey(), m -> new ArrayList<>())
                        .add(result.answer().orElse(""));
                long[] calls = run.searchCalls.computeIfAbsent(search.getKey(), m -> new long[3]);
                calls[0] += result.usage().modelCalls();
                calls[1] += result.usage().failedCalls();
                calls[2] += result.contextCutOffs();
            }
            run.problems++;
            progress.update(run.problems, selected.size());
        }
        run.budgetSpent |= shouldStop.getAsBoolean();
        return run;
    }

    /**
     * Runs AoR on one problem; a problem without a usable chain counts as wrong, with no samples but the tokens of
     * the samples it drew from {@code replay}.
     */
    private static void solve(LiveRun run, AggregationOfReasoning aor, ReplaySampler replay, String question,
                              String gold, String total) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        long servedBefore = replay.servedOutputTokens();
        try {
            AggregationResult result = aor.solve(question);
            run.add(total, correct(numeric, result.answer(), gold), result.usage().samples(),
                    result.generatedTokens(), 0);
            run.answer(total, result.answer());
        } catch (LogProbsUnavailableException unavailable) {
            throw unavailable;
        } catch (ReasoningException noChain) {
            run.aorFailures++;
            // AoR reports no usage when no chain came back, but it drew (and paid for) every sample it asked for.
            long servedAfter = replay.servedOutputTokens();
            run.add(total, false, 0, servedBefore == Usage.UNKNOWN_TOKENS || servedAfter == Usage.UNKNOWN_TOKENS
                    ? Usage.UNKNOWN_TOKENS : servedAfter - servedBefore, 0);
            run.answer(total, Optional.empty());
        }
    }

    private static BenchReport figures(double[] total, int n) {
        if (total == null || n == 0) {
            return new BenchReport().put("accuracy", Double.NaN).put("mean_samples", Double.NaN)
                    .put("generated_tokens", Double.NaN);
        }
        return new BenchReport().put("accuracy", round(total[0] / n)).put("mean_samples", round(total[1] / n))
                .put("generated_tokens", round(total[2] / n));
    }

    static boolean correct(AnswerExtractor extractor, Optional<String> answer, String gold) {
        return answer.isPresent() && extractor.equivalent(answer.get(), gold);
    }

    private static double share(int count, int n) {
        return round((double) count / n);
    }

    /** A default as the notes state it: {@code 2} for 2.0, {@code 0.5} for 0.5. */
    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static double round(double value) {
        return Math.round(value * 10000) / 10000.0;
    }

    /**
     * Samples {@code capacity} chains for one question once, from seed {@code baseSeed}, then serves any request
     * {@code (firstSeed, count)} from them as a sampler whose seeds start at {@code baseSeed}: its sample {@code i}
     * always uses seed {@code baseSeed + i}, so a prefix is exactly what sampling anew would give.
     */
    static final class ReplaySampler implements ChainSampler {
        private final String name;
        private final List<SampleBatch.Sample> samples;
        private final SampleBatch source;
        /** What every slice {@link #sample} served so far cost when it was drawn. */
        private Usage served = Usage.NONE;

        ReplaySampler(ChainSampler sampler, String prompt, int capacity, long baseSeed) {
            this.name = sampler.name();
            this.source = sampler.sample(prompt, capacity, baseSeed);
            this.samples = source.samples();
        }

        List<ReasoningChain> chains() {
            return source.chains(name);
        }

        /** What drawing the chains cost. */
        Usage usage() {
            return source.usage();
        }

        /** How many of the drawn samples were cut off at the token limit (none of them is a chain). */
        int truncatedSamples() {
            return source.truncatedSamples();
        }

        /**
         * Tokens generated for the samples a method drew to get {@code chains} chains, the first of
         * {@link #chains()}: every sample up to and including the {@code chains}-th chain, the ones cut off at the
         * token limit among them included (they cost tokens though no vote sees them), or every sample drawn when
         * fewer chains came back.
         */
        long outputTokens(int chains) {
            long drawnUpTo = chains > samples.size() ? source.requested()
                    : chains == 0 ? 0 : samples.get(chains - 1).index() + 1;
            return tokens(0, drawnUpTo, SampleBatch.Sample::outputTokens, SampleBatch.SampleFailure::outputTokens);
        }

        /**
         * Tokens generated for every slice {@link #sample} has served, cut-off samples included, or
         * {@link Usage#UNKNOWN_TOKENS} once one was unknown: what a method paid when it returns no usage.
         */
        long servedOutputTokens() {
            return served.outputTokens();
        }

        @Override
        public SampleBatch sample(String prompt, int count, long firstSeed) {
            List<SampleBatch.Sample> slice = new ArrayList<>();
            for (SampleBatch.Sample sample : samples) {
                if (sample.index() >= firstSeed && sample.index() < firstSeed + count) {
                    slice.add(new SampleBatch.Sample((int) (sample.index() - firstSeed), sample.text(),
                            sample.inputTokens(), sample.outputTokens(), 1, sample.tokenLogProbs()));
                }
            }
            // Samples that failed when drawn fail again here, so the batch accounts for every one requested.
            List<SampleBatch.SampleFailure> failures = new ArrayList<>();
            for (SampleBatch.SampleFailure failure : source.failures()) {
                if (failure.index() >= firstSeed && failure.index() < firstSeed + count) {
                    failures.add(new SampleBatch.SampleFailure((int) (failure.index() - firstSeed), failure.kind(),
                            failure.message(), failure.attempts(), failure.inputTokens(), failure.outputTokens()));
                }
            }
            // A slice costs what its samples cost when they were drawn, the cut-off ones included, so a method's
            // tokens are those it drew.
            long end = firstSeed + count;
            Usage usage = new Usage(slice.size(), 1, 0,
                    tokens(firstSeed, end, SampleBatch.Sample::inputTokens, SampleBatch.SampleFailure::inputTokens),
                    tokens(firstSeed, end, SampleBatch.Sample::outputTokens, SampleBatch.SampleFailure::outputTokens),
                    java.time.Duration.ZERO);
            served = served.plus(usage);
            return new SampleBatch(count, slice, failures, StopReason.COMPLETED, usage);
        }

        /**
         * The tokens of the drawn samples and failures whose index is in {@code [from, to)}: their sum, or
         * {@link Usage#UNKNOWN_TOKENS} when one count is unknown.
         */
        private long tokens(long from, long to, ToLongFunction<SampleBatch.Sample> ofSample,
                            ToLongFunction<SampleBatch.SampleFailure> ofFailure) {
            LongStream counts = LongStream.concat(
                    samples.stream().filter(sample -> sample.index() >= from && sample.index() < to)
                            .mapToLong(ofSample),
                    source.failures().stream().filter(failure -> failure.index() >= from && failure.index() < to)
                            .mapToLong(ofFailure));
            long[] all = counts.toArray();
            return java.util.Arrays.stream(all).anyMatch(c -> c == Usage.UNKNOWN_TOKENS) ? Usage.UNKNOWN_TOKENS
                    : java.util.Arrays.stream(all).sum();
        }

        @Override
        public String name() {
            return name;
        }
    }
}
