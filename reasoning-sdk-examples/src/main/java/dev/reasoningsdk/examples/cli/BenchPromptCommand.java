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
import dev.reasoningsdk.impl.prompt.ChatModelParaphraser;
import dev.reasoningsdk.impl.prompt.ClassificationObjective;
import dev.reasoningsdk.impl.prompt.EmbeddingZeroShotClassifier;
import dev.reasoningsdk.impl.prompt.GeneticAlgorithm;
import dev.reasoningsdk.impl.prompt.GeneticAlgorithmWithCrossover;
import dev.reasoningsdk.impl.prompt.HarmonySearch;
import dev.reasoningsdk.impl.prompt.HillClimbing;
import dev.reasoningsdk.impl.prompt.MetaheuristicOptimizer;
import dev.reasoningsdk.impl.prompt.Paraphraser;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code reasoning bench prompt}: Plum's six metaheuristics optimise the label descriptions of an encoder zero-shot
 * classifier on two labelled data sets (FreshQA and MetaTool, from the project's data folder by default), at the
 * same evaluation budget, and report the dev-set score and the accuracy on a held-out split that the search never
 * sees.
 *
 * <p>The searched prompt's model is the sentence encoder: it answers every task question, and no chat endpoint can
 * stand in for it. The one chat model of the command is the paraphrase model of {@code --paraphrase-model}, and the
 * shared model options ({@link ModelOptions}: {@code --provider openai|ollama --base-url URL --model NAME}, or
 * {@code --model DIR} for a Hugging Face ONNX export folder served on loopback) choose it, as they choose the model of
 * {@code solve} and the live benches: every paraphrase then goes through the run's gateway ({@link RemoteModel}), is
 * counted in each search's {@code usage}, and with {@code --cache} is replayed. They need {@code --paraphrase-model},
 * since without it no chat model is called. An unreachable endpoint, or one that refused every call as it refuses a
 * wrong URL or model, is bad input (exit 2); a run whose every paraphrase call failed is a failed run (exit 1).
 */
@Command(name = "prompt", mixinStandardHelpOptions = true,
        description = "Optimise zero-shot label descriptions with the six Plum metaheuristics; held-out accuracy.")
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

    @Option(names = "--data", description = "A data directory laid out like shared/data (default: data/ in the "
            + "project's data folder, or ../shared/data).")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (budget < 2 || patience < 1) {
            throw new IllegalArgumentException("need --budget >= 2 and --patience >= 1, got " + budget + ", "
                    + patience);
        }
        if (cache.enabled() && !paraphraseModel) {
            throw new IllegalArgumentException("--cache needs --paraphrase-model: without it bench prompt calls no"
                    + " chat model");
        }
        ModelEndpoint endpoint = modelOptions.endpoint();
        if (endpoint.isServed() && !paraphraseModel) {
            throw new IllegalArgumentException((endpoint.isRemote() ? "--provider " + endpoint.providerName()
                    : "--model DIR") + " chooses the paraphrase model: add --paraphrase-model (the searched prompt's "
                    + "model is the sentence encoder, which no chat endpoint serves)");
        }
        Path dataDir = data != null ? data : SharedData.locate();
        List<Task> tasks = List.of(
                new Task("freshqa_time_sensitivity", "time_sensitive",
                        dataDir.resolve("freshqa_time_sensitivity/freshqa_v11132023.jsonl"), "question",
                        Map.of("true", "a question about something that changes",
                                "false", "a question about something that stays the same")),
                new Task("metatool_tool_awareness", "needs_tool",
                        dataDir.resolve("retrieval_need/metatool_tool_awareness.jsonl"), "query",
                        Map.of("true", "a request that needs a tool",
                                "false", "a request that needs no tool")));
        for (Task task : tasks) {
            TextFiles.requireRegularFile(task.file(), "data file not found (use --data)");
        }
        RemoteModel.requireReachable(endpoint, cache);
        try (HuggingFaceOnnxModel folder = endpoint.isFolder() ? endpoint.folderLoader().build() : null;
             AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.builder().intraOpThreads(2).build();
             HuggingFaceOnnxModel tiny = paraphraseModel && !endpoint.isServed() ? TinyReasoner.create() : null;
             CacheOption cached = cache;
             RemoteModel remote = endpoint.isServed() ? RemoteModel.open(endpoint, folder, cached) : null) {
            // One paraphraser for every search: it keeps each unit's alternatives, as Plum's paraphrase cache does.
            Paraphraser paraphraser = remote != null ? ChatModelParaphraser.of(remote.gateway())
                    : tiny == null ? Paraphraser.installed()
                    : ChatModelParaphraser.of(cached.wrap(LocalCausalLmChatModel.of(tiny), true));
            BenchReport report = new BenchReport().put("budget", budget).put("patience", patience)
                    .put("seed", seed).put("encoder", encoder.modelId())
                    .put("paraphraser", remote != null ? endpoint.model() : tiny == null ? "installed"
                            : tiny.modelId());
            Usage spent = searchAll(report, tasks, encoder, paraphraser);
            if (remote != null) {
                // Throws (exit 2) when the endpoint refused every call as it refuses a wrong URL or model.
                report.put("endpoint", remote.describe(spent));
                if (spent.modelCalls() > 0 && spent.failedCalls() == spent.modelCalls()) {
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
    private Usage searchAll(BenchReport report, List<Task> tasks, SentenceEncoder encoder, Paraphraser paraphraser)
            throws IOException {
        Usage spent = Usage.NONE;
        boolean everyImproves = true;
        double bestGain = Double.NEGATIVE_INFINITY;
        BenchReport datasets = new BenchReport();
        for (Task task : tasks) {
            List<Usage> usages = new ArrayList<>();
            BenchReport figures = run(task, encoder, paraphraser, usages);
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

    /** One task's searches; each search's usage is added to {@code usages}. */
    private BenchReport run(Task task, SentenceEncoder encoder, Paraphraser paraphraser, List<Usage> usages)
            throws IOException {
        List<Example> examples = task.load();
        Split split = Split.stratified(examples, seed);
        EmbeddingZeroShotClassifier classifier = EmbeddingZeroShotClassifier.of(encoder, LABELS);
        Progress embedding = new Progress("prompt " + task.name() + " embedding");
        List<float[]> searchEmbeddings = classifier.embed(split.search().stream().map(Example::text).toList());
        List<float[]> heldoutEmbeddings = classifier.embed(split.heldout().stream().map(Example::text).toList());
        embedding.update(1, 1);
        List<String> searchGold = split.search().stream().map(Example::label).toList();
        List<String> heldoutGold = split.heldout().stream().map(Example::label).toList();
        ClassificationObjective objective = ClassificationObjective.builder().labels(LABELS).gold(searchGold)
                .classifier(classifier.overEmbeddings(searchEmbeddings)).build();
        String initialPrompt = classifier.prompt(task.descriptions());
        double initialHeldout = percent(ClassificationObjective.accuracy(heldoutGold,
                classifier.classify(initialPrompt, heldoutEmbeddings)));

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
            double heldout = percent(ClassificationObjective.accuracy(heldoutGold,
                    classifier.classify(result.bestPrompt(), heldoutEmbeddings)));
            double gain = heldout - initialHeldout;
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
            row.put("heldout_accuracy", round(heldout));
            row.put("heldout_gain_points", round(gain));
            row.put("seconds", round(result.usage().wallTime().toMillis() / 1000.0));
            row.put("stop_reason", result.stopReason().name());
            // What the search cost, the paraphrase model's calls included: without --cache nothing else says it.
            row.put("usage", BenchReport.usage(result.usage()).figures());
            usages.add(result.usage());
            row.put("best_prompt", result.bestPrompt());
            rows.add(row);
        }
        return new BenchReport().put("label", task.label())
                .put("search_examples", split.search().size())
                .put("heldout_examples", split.heldout().size())
                .put("initial_prompt", initialPrompt)
                .put("initial_heldout_accuracy", round(initialHeldout))
                .put("algorithms", rows)
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

    private record Task(String name, String label, Path file, String textField, Map<String, String> descriptions) {
        List<Example> load() throws IOException {
            return LabeledJsonl.read(file, textField, label, Integer.MAX_VALUE);
        }
    }

    /** Half of each class for the search, the other half held out; shuffled with the seed. */
    private record Split(List<Example> search, List<Example> heldout) {
        static Split stratified(List<Example> examples, long seed) {
            List<Example> search = new ArrayList<>();
            List<Example> heldout = new ArrayList<>();
            for (String label : LABELS) {
                List<Example> ofLabel = new ArrayList<>(
                        examples.stream().filter(e -> e.label().equals(label)).toList());
                Collections.shuffle(ofLabel, new Random(seed));
                int half = ofLabel.size() / 2;
                search.addAll(ofLabel.subList(0, half));
                heldout.addAll(ofLabel.subList(half, ofLabel.size()));
            }
            Collections.shuffle(search, new Random(seed + 1));
            Collections.shuffle(heldout, new Random(seed + 2));
            return new Split(search, heldout);
        }
    }
}
