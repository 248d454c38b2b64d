package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.prompt.OptimizationResult;
import dev.reasoningsdk.examples.cli.LabeledJsonl.Example;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.api.model.SentenceEncoder;
import dev.reasoningsdk.impl.llm.LocalCausalLmChatModel;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.llm.ModelGateway;
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.ChatModelPromptClassifier;
import dev.reasoningsdk.impl.prompt.ClassificationObjective;
import dev.reasoningsdk.impl.prompt.EmbeddingZeroShotClassifier;
import dev.reasoningsdk.impl.prompt.GeneticAlgorithm;
import dev.reasoningsdk.impl.prompt.GeneticAlgorithmWithCrossover;
import dev.reasoningsdk.impl.prompt.HarmonySearch;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.MetaheuristicOptimizer;
import dev.reasoningsdk.impl.prompt.Paraphraser;
import dev.reasoningsdk.impl.prompt.PromptClassifier;
import dev.reasoningsdk.impl.prompt.RunOptions;
import dev.reasoningsdk.impl.prompt.SearchSettings;
import dev.reasoningsdk.impl.prompt.SimulatedAnnealing;
import dev.reasoningsdk.impl.prompt.TabuSearch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench prompt}: Plum's six metaheuristics optimise the label descriptions of an encoder zero-shot
 * classifier on two labelled data sets (FreshQA and MetaTool, from the project's data folder by default), at the
 * same evaluation budget, and report the dev-set score and the accuracy on a held-out split that the search never
 * sees.
 *
 * <p>By default the searched prompt's model is the sentence encoder, whose prompt is the label descriptions. With
 * {@code --task-model} it is a chat model, as in Plum's paper: the searched prompt is an instruction sent with each
 * input, the reply read as a label ({@link ChatModelPromptClassifier}), every dev and held-out input one call; the
 * report then names it ({@code task_model}) and adds what the held-out evaluations cost ({@code heldout_usage},
 * {@code initial_heldout_usage}). {@code --examples-per-label N} keeps N examples of each label per data set (half
 * searched, half held out), so that a chat model's runs stay affordable.
 *
 * <p>The command's chat model is the paraphrase model of {@code --paraphrase-model}, the searched model of
 * {@code --task-model}, or both: the embedded tiny reasoner, or the model the shared model options choose
 * ({@link ModelOptions}: {@code --provider openai|ollama --base-url URL --model NAME}, or {@code --model DIR} for a
 * Hugging Face ONNX export folder served on loopback), as they choose the model of {@code solve} and the live
 * benches: every call then goes through the run's gateway ({@link RemoteModel}), is counted in each search's
 * {@code usage}, and with {@code --cache} is replayed. They need {@code --paraphrase-model} or {@code --task-model},
 * since without either no chat model is called. An unreachable endpoint, or one that refused every call as it
 * refuses a wrong URL or model, is bad input (exit 2); a run whose every paraphrase call failed, or whose searched
 * model replied to no call of an initial prompt or failed a held-out evaluation
 * ({@link ChatModelPromptClassifier}), is a failed run (exit 1).
 */
@Command(name = "prompt", mixinStandardHelpOptions = true,
        description = "Optimise zero-shot label descriptions (or, with --task-model, a chat model's instruction) with"
                + " the six Plum metaheuristics; held-out accuracy.")
public final class BenchPromptCommand implements Callable<Integer> {

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    private static final List<String> LABELS = List.of("true", "false");

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--budget", defaultValue = "300", description = "Evaluations per algorithm (default 300).")
    int budget;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and of the searches.")
    long seed;

    @Option(names = "--patience", defaultValue = "25",
            description = "Iterations without a new best before a search stops (default 25).")
    int patience;

    @Option(names = "--paraphrase-model", description = "Take sub edits from a chat model (one model call per edited"
            + " unit) instead of WordNet: the embedded tiny reasoner (an arithmetic model, so its paraphrases are"
            + " poor), or the model of --provider/--base-url/--model; with --cache its calls are replayed.")
    boolean paraphraseModel;

    @Option(names = "--task-model", description = "Search the instruction a chat model gets with each input (Plum's"
            + " setting; one call per input and candidate) instead of the encoder's label descriptions: the embedded"
            + " tiny reasoner (an arithmetic model, so its labels are poor), or the model of"
            + " --provider/--base-url/--model.")
    boolean taskModel;

    @Option(names = "--examples-per-label", paramLabel = "N", description = "Use N examples of each label per data"
            + " set, half searched and half held out (default: all).")
    Integer examplesPerLabel;

    @Option(names = "--data", description = "A data directory laid out like shared/data (default: data/ in the "
            + "project's data folder, or ../shared/data).")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (budget < 2 || patience < 1) {
            throw new IllegalArgumentException("need --budget >= 2 and --patience >= 1, got " + budget + ", "
                    + patience);
        }
        if (examplesPerLabel != null && examplesPerLabel < 2) {
            throw new IllegalArgumentException("--examples-per-label must be >= 2 (one searched, one held out), was "
                    + examplesPerLabel);
        }
        boolean chatModel = paraphraseModel || taskModel;
        if (cache.enabled() && !chatModel) {
            throw new IllegalArgumentException("--cache needs --paraphrase-model or --task-model: without them bench"
                    + " prompt calls no chat model");
        }
        ModelEndpoint endpoint = modelOptions.endpoint();
        if (endpoint.isServed() && !chatModel) {
            throw new IllegalArgumentException((endpoint.isRemote() ? "--provider " + endpoint.providerName()
                    : "--model DIR") + " chooses the chat model: add --task-model (to search its instruction) or "
                    + "add --paraphrase-model (to take sub edits from it); the default searched model is the "
                    + "sentence encoder, which no chat endpoint serves");
        }
        Path dataDir = data != null ? data : SharedData.locate();
        List<Task> tasks = List.of(
                new Task("freshqa_time_sensitivity", "time_sensitive",
                        dataDir.resolve("freshqa_time_sensitivity/freshqa_v11132023.jsonl"), "question",
                        Map.of("true", "a question about something that changes",
                                "false", "a question about something that stays the same"),
                        "Can the correct answer to this question change over time? Reply true if it can change,"
                                + " false if it stays the same."),
                new Task("metatool_tool_awareness", "needs_tool",
                        dataDir.resolve("retrieval_need/metatool_tool_awareness.jsonl"), "query",
                        Map.of("true", "a request that needs a tool",
                                "false", "a request that needs no tool"),
                        "Does answering this request need an external tool (search, a calculator, an API)? Reply"
                                + " true if it does, false if it does not."));
        for (Task task : tasks) {
            TextFiles.requireRegularFile(task.file(), "data file not found (use --data)");
        }
        RemoteModel.requireReachable(endpoint, cache);
        try (HuggingFaceOnnxModel folder = endpoint.isFolder() ? endpoint.folderLoader().build() : null;
             AllMiniLmL6V2Encoder encoder = taskModel ? null : AllMiniLmL6V2Encoder.builder().intraOpThreads(2)
                     .build();
             HuggingFaceOnnxModel tiny = chatModel && !endpoint.isServed() ? TinyReasoner.create() : null;
             CacheOption cached = cache;
             RemoteModel remote = endpoint.isServed() ? RemoteModel.open(endpoint, folder, cached) : null;
             ModelGateway inProcess = tiny == null ? null
                     : ModelGateway.of(cached.wrap(LocalCausalLmChatModel.of(tiny), true))) {
            // One gateway for the run's chat model, whichever roles it plays, so its in-flight limit holds for both.
            ModelGateway gateway = remote != null ? remote.gateway() : inProcess;
            String chatModelName = remote != null ? endpoint.model() : tiny == null ? null : tiny.modelId();
            // One paraphraser for every search: it keeps each unit's alternatives, as Plum's paraphrase cache does.
            Paraphraser paraphraser = paraphraseModel ? ChatModelParaphraser.of(gateway) : Paraphraser.installed();
            // One classifier for every search too: the searches start from the same prompt, answered once.
            ChatModelPromptClassifier classifier = taskModel
                    ? ChatModelPromptClassifier.builder().gateway(gateway).labels(LABELS).build() : null;
            BenchReport report = new BenchReport().put("budget", budget).put("patience", patience)
                    .put("seed", seed);
            if (taskModel) {
                report.put("task_model", chatModelName);
            } else {
                report.put("encoder", encoder.modelId());
            }
            report.put("paraphraser", paraphraseModel ? chatModelName : "installed");
            if (examplesPerLabel != null) {
                report.put("examples_per_label", examplesPerLabel);
            }
            Usage spent;
            try {
                spent = searchAll(report, tasks, encoder, classifier, paraphraser);
            } catch (ReasoningException failed) {
                if (remote != null) {
                    // A searched model that answered no call because the endpoint refuses the run (a wrong URL or
                    // model) is bad input (exit 2) as it is for the paraphrase model, not a failed run.
                    remote.describe(failed.usage());
                    // Calls the budget refused were never made, so no usage counts them: the budget's own count says.
                    if (endpoint.maxCalls() > 0 && remote.shouldStop()) {
                        throw new ReasoningException("the run's call budget (--max-calls " + endpoint.maxCalls()
                                + ") ran out before the searched model labelled every input it needed; raise it, or"
                                + " lower --budget or --examples-per-label: " + failed.getMessage(), failed, false,
                                failed.usage());
                    }
                }
                throw failed;
            }
            if (remote != null) {
                // Throws (exit 2) when the endpoint refused every call as it refuses a wrong URL or model.
                report.put("endpoint", remote.describe(spent));
                // The searched model's unusable replies are its score (a search whose initial prompt got no reply
                // failed above); a paraphrase model that never answered only left the searches without sub edits.
                if (!taskModel && spent.modelCalls() > 0 && spent.failedCalls() == spent.modelCalls()) {
                    throw new ReasoningException("every one of the " + spent.modelCalls() + " paraphrase calls to "
                            + endpoint.model() + " failed " + spent.failuresByKind() + ": no sub edit came from it");
                }
            }
            cache.report(report);
            report.print(System.out, json);
            return 0;
        }
    }

    /** Runs every search on every task into {@code report}; returns what the searches cost together. */
    private Usage searchAll(BenchReport report, List<Task> tasks, SentenceEncoder encoder,
                            ChatModelPromptClassifier classifier, Paraphraser paraphraser) throws IOException {
        Usage spent = Usage.NONE;
        boolean everyImproves = true;
        double bestGain = Double.NEGATIVE_INFINITY;
        BenchReport datasets = new BenchReport();
        for (Task task : tasks) {
            List<Usage> usages = new ArrayList<>();
            BenchReport figures = classifier != null ? run(task, classifier, paraphraser, usages)
                    : run(task, encoder, paraphraser, usages);
            for (Usage usage : usages) {
                spent = spent.plus(usage);
            }
            datasets.put(task.name(), figures);
            everyImproves &= (Boolean) figures.figures().get("every_algorithm_improves_heldout");
            bestGain = Math.max(bestGain, (Double) figures.figures().get("best_heldout_gain_points"));
        }
        report.put("datasets", datasets)
                .put("every_algorithm_improves_heldout", everyImproves)
                .put("best_heldout_gain_points", round(bestGain));
        return spent;
    }

    /** One task's searches of the encoder's label descriptions; each search's usage is added to {@code usages}. */
    private BenchReport run(Task task, SentenceEncoder encoder, Paraphraser paraphraser, List<Usage> usages)
            throws IOException {
        Split split = Split.stratified(task.load(), seed, examplesPerLabel);
        EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder, LABELS);
        Progress embedding = new Progress("prompt " + task.name() + " embedding");
        List<float[]> searchEmbeddings = classifier.embed(split.searchTexts());
        List<float[]> heldoutEmbeddings = classifier.embed(split.heldoutTexts());
        embedding.update(1, 1);
        ClassificationObjective objective = ClassificationObjective.builder().labels(LABELS).gold(split.searchGold())
                .classifier(classifier.overEmbeddings(searchEmbeddings)).build();
        PromptClassifier heldout = classifier.overEmbeddings(heldoutEmbeddings);
        // The encoder's held-out labels cost no model call: the report stays as it was before chat models.
        return searches(task, split, classifier.prompt(task.descriptions()), objective,
                prompt -> new PromptClassifier.Predictions(heldout.classify(prompt).labels(), Usage.NONE), false,
                paraphraser, usages);
    }

    /**
     * One task's searches of the instruction the chat model of {@code classifier} gets with each input; each
     * search's usage, and what its held-out evaluation cost, is added to {@code usages}.
     */
    private BenchReport run(Task task, ChatModelPromptClassifier classifier, Paraphraser paraphraser,
                            List<Usage> usages) throws IOException {
        Split split = Split.stratified(task.load(), seed, examplesPerLabel);
        List<String> heldoutInputs = split.heldoutTexts();
        return searches(task, split, task.instruction(), classifier.objective(split.searchTexts(), split.searchGold()),
                prompt -> classifier.classify(prompt, heldoutInputs), true, paraphraser, usages);
    }

    /**
     * The six searches from {@code initialPrompt}, each best prompt labelling the held-out split through
     * {@code heldout}; with {@code heldoutCosts} the report says what each held-out evaluation cost.
     */
    private BenchReport searches(Task task, Split split, String initialPrompt, ClassificationObjective objective,
                                 Function<String, PromptClassifier.Predictions> heldout, boolean heldoutCosts,
                                 Paraphraser paraphraser, List<Usage> usages) {
        List<String> heldoutGold = split.heldoutGold();
        PromptClassifier.Predictions initialLabels = heldout.apply(initialPrompt);
        usages.add(initialLabels.usage());
        double initialHeldout = percent(ClassificationObjective.accuracy(heldoutGold, initialLabels.labels()));

        SearchSettings settings = SearchSettings.builder().maxEvaluations(budget).maxIterations(budget)
                .patience(patience).seed(seed).paraphraser(paraphraser).build();
        List<MetaheuristicOptimizer.Builder<?>> algorithms = List.of(HillClimbing.builder(),
                SimulatedAnnealing.builder(), GeneticAlgorithm.builder(), GeneticAlgorithmWithCrossover.builder(),
                TabuSearch.builder(), HarmonySearch.builder());
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean everyImproves = true;
        double bestGain = Double.NEGATIVE_INFINITY;
        String bestAlgorithm = null;
        for (MetaheuristicOptimizer.Builder<?> algorithm : algorithms) {
            MetaheuristicOptimizer optimizer = algorithm.settings(settings).build();
            Progress progress = new Progress("prompt " + task.name() + " " + optimizer.name());
            OptimizationResult result = optimizer.optimize(initialPrompt, objective, RunOptions.builder()
                    .listener(event -> {
                        if (event.lastStep().isPresent()) {
                            progress.update(event.evaluations(), event.maxEvaluations());
                        }
                    }).build());
            PromptClassifier.Predictions bestLabels = heldout.apply(result.bestPrompt());
            usages.add(bestLabels.usage());
            double heldoutAccuracy = percent(ClassificationObjective.accuracy(heldoutGold, bestLabels.labels()));
            double gain = heldoutAccuracy - initialHeldout;
            everyImproves &= gain > 0;
            if (gain > bestGain) {
                bestGain = gain;
                bestAlgorithm = optimizer.name();
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("algorithm", optimizer.name());
            row.put("initial_score", round(result.initialScore()));
            row.put("best_score", round(result.bestScore()));
            row.put("evaluations", result.evaluations());
            row.put("failed_evaluations", result.failedEvaluations());
            row.put("initial_heldout_accuracy", round(initialHeldout));
            row.put("heldout_accuracy", round(heldoutAccuracy));
            row.put("heldout_gain_points", round(gain));
            row.put("seconds", round(result.usage().wallTime().toMillis() / 1000.0));
            row.put("stop_reason", result.stopReason().name());
            // What the search cost, the paraphrase model's calls included: without --cache nothing else says it.
            row.put("usage", BenchReport.usage(result.usage()).figures());
            usages.add(result.usage());
            if (heldoutCosts) {
                row.put("heldout_usage", BenchReport.usage(bestLabels.usage()).figures());
            }
            row.put("best_prompt", result.bestPrompt());
            rows.add(row);
        }
        BenchReport figures = new BenchReport().put("label", task.label())
                .put("search_examples", split.search().size())
                .put("heldout_examples", split.heldout().size())
                .put("initial_prompt", initialPrompt)
                .put("initial_heldout_accuracy", round(initialHeldout));
        if (heldoutCosts) {
            figures.put("initial_heldout_usage", BenchReport.usage(initialLabels.usage()).figures());
        }
        return figures.put("algorithms", rows)
                .put("best_algorithm", bestAlgorithm)
                .put("best_heldout_gain_points", round(bestGain))
                .put("every_algorithm_improves_heldout", everyImproves);
    }

    private static double percent(double fraction) {
        return 100 * fraction;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /**
     * A data set: where its labelled inputs are, the encoder's initial label descriptions and the chat model's
     * initial instruction.
     */
    private record Task(String name, String label, Path file, String textField, Map<String, String> descriptions,
                        String instruction) {
        List<Example> load() throws IOException {
            return LabeledJsonl.read(file, textField, label, Integer.MAX_VALUE);
        }
    }

    /**
     * Half of each class for the search, the other half held out; shuffled with the seed, each class cut to its first
     * {@code perLabel} examples after the shuffle when given.
     */
    private record Split(List<Example> search, List<Example> heldout) {
        static Split stratified(List<Example> examples, long seed, Integer perLabel) {
            List<Example> search = new ArrayList<>();
            List<Example> heldout = new ArrayList<>();
            for (String label : LABELS) {
                List<Example> ofLabel = new ArrayList<>(
                        examples.stream().filter(e -> e.label().equals(label)).toList());
                Collections.shuffle(ofLabel, new Random(seed));
                if (perLabel != null && ofLabel.size() > perLabel) {
                    ofLabel = new ArrayList<>(ofLabel.subList(0, perLabel));
                }
                int half = ofLabel.size() / 2;
                search.addAll(ofLabel.subList(0, half));
                heldout.addAll(ofLabel.subList(half, ofLabel.size()));
            }
            Collections.shuffle(search, new Random(seed + 1));
            Collections.shuffle(heldout, new Random(seed + 2));
            return new Split(search, heldout);
        }

        List<String> searchTexts() {
            return search.stream().map(Example::text).toList();
        }

        List<String> searchGold() {
            return search.stream().map(Example::label).toList();
        }

        List<String> heldoutTexts() {
            return heldout.stream().map(Example::text).toList();
        }

        List<String> heldoutGold() {
            return heldout.stream().map(Example::label).toList();
        }
    }
}
