package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reasoning bench reasoner}: the embedded tiny reasoner on its own eval problems, decoded in Java through the
 * KV-cache graph, against the figures its README measured with PyTorch on the same problems (so a decoding bug
 * shows as a gap), plus the sampling speed that the aggregation and confidence benchmarks depend on.
 */
@Command(name = "reasoner", mixinStandardHelpOptions = true,
        description = "Tiny reasoner: greedy, single-sample and majority@10 accuracy on its eval problems, and "
                + "chains per second (40 chains of one question at a time).")
public final class BenchReasonerCommand implements Callable<Integer> {

    @Mixin
    private ExecutionProviderOption executionProvider;

    /** The tiny reasoner's 600 eval problems with its recorded samples, in the data folders' layout. */
    static final String EVAL_FILE = "models/tiny-reasoner/eval-problems.jsonl";

    /** What this bench reads of each eval row: the problem, and the reference run's recorded answers. */
    private static final List<JsonlRows.Field> EVAL_FIELDS = List.of(
            new JsonlRows.Field("id", "an integer", JsonNode::isIntegralNumber),
            new JsonlRows.Field("steps", "an integer", JsonNode::isIntegralNumber),
            new JsonlRows.Field("answer", "an integer", JsonNode::isIntegralNumber),
            new JsonlRows.Field("prompt", "text", JsonNode::isTextual),
            new JsonlRows.Field("model_greedy_text", "text", JsonNode::isTextual),
            new JsonlRows.Field("model_greedy_answer", "an integer or null",
                    node -> node.isIntegralNumber() || node.isNull()),
            new JsonlRows.Field("model_sample_answers", "a list of integers or nulls", node -> node.isArray()
                    && StreamSupport.stream(node.spliterator(), false)
                            .allMatch(answer -> answer.isIntegralNumber() || answer.isNull())));

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    private boolean json;

    @Spec
    private CommandSpec spec;

    @Option(names = "--max-problems", paramLabel = "N", description = "Problems to evaluate, spread evenly over the "
            + "600 (so every step count is covered); default ${DEFAULT-VALUE}.")
    private int maxProblems = 200;

    /** {@code --max-problems}' deprecated name ({@link DeprecatedOption}). */
    @Option(names = "--limit", hidden = true,
            description = DeprecatedOption.PREFIX + "--max-problems", paramLabel = "N")
    void limit(int problems) {
        maxProblems = problems;
    }

    @Option(names = "--samples", defaultValue = "10",
            description = "Samples per problem at T=0.8; default ${DEFAULT-VALUE}.")
    private int samples;

    @Option(names = "--speed-questions", defaultValue = "6",
            description = "Questions (one per step count) for chains_per_s, 40 chains each; default ${DEFAULT-VALUE}.")
    private int speedQuestions;

    @Option(names = "--threads", defaultValue = "1",
            description = "ONNX Runtime intra-op threads; default ${DEFAULT-VALUE}.")
    private int threads;


    @Option(names = "--problems", paramLabel = "FILE", description = "The eval-problems.jsonl file; default: "
            + EVAL_FILE + " in the project's data folder (or ../shared).")
    private Path problemsFile;

    /** {@code --problems}' deprecated name ({@link DeprecatedOption}). */
    @Option(names = "--eval", hidden = true, description = DeprecatedOption.PREFIX + "--problems", paramLabel = "FILE")
    void eval(Path file) {
        problemsFile = file;
    }

    @Option(names = "--seed", defaultValue = "20251122", description = "Sampling seed; default ${DEFAULT-VALUE}.")
    private long seed;

    @Override
    public Integer call() throws IOException {
        DeprecatedOption.refuseBoth(spec, "--limit", "--max-problems");
        DeprecatedOption.refuseBoth(spec, "--eval", "--problems");
        if (maxProblems < 1 || samples < 1 || speedQuestions < 0 || threads < 1) {
            throw new IllegalArgumentException("--max-problems, --samples and --threads must be >= 1, "
                    + "--speed-questions >= 0");
        }
        List<JsonNode> all = JsonlRows.withFields(problemsFile != null ? problemsFile
                : SharedData.require(EVAL_FILE, "--problems"), EVAL_FIELDS);
        List<JsonNode> problems = JsonlRows.evenlySpaced(all, maxProblems);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double loadBefore = os.getSystemLoadAverage();
        BenchReport report = new BenchReport();
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().intraOpThreads(threads).build()) {
            Tally ours = new Tally();
            Tally reference = new Tally();
            Map<Integer, Tally> byStep = new LinkedHashMap<>();
            int textMatches = 0;
            long start = System.nanoTime();
            Progress progress = new Progress("bench reasoner: problems");
            for (int i = 0; i < problems.size(); i++) {
                JsonNode problem = problems.get(i);
                int gold = problem.get("answer").asInt();
                Generation greedy = model.generate(problem.get("prompt").asText(), 1, GenerationOptions.greedy(320))
                        .get(0);
                if (greedy.text().equals(problem.get("model_greedy_text").asText())) {
                    textMatches++;
                }
                List<Optional<Integer>> sampled = model.generate(problem.get("prompt").asText(), samples,
                                GenerationOptions.sampling(0.8, 320, seed + 1000L * problem.get("id").asInt()))
                        .stream().map(g -> TinyReasoner.extractAnswer(g.text())).toList();
                Tally step = byStep.computeIfAbsent(problem.get("steps").asInt(), k -> new Tally());
                for (Tally tally : List.of(ours, step)) {
                    tally.add(gold, TinyReasoner.extractAnswer(greedy.text()), sampled);
                }
                List<Optional<Integer>> theirs = new ArrayList<>();
                problem.get("model_sample_answers").forEach(a -> theirs.add(a.isNull() ? Optional.empty()
                        : Optional.of(a.asInt())));
                JsonNode theirGreedy = problem.get("model_greedy_answer");
                reference.add(gold, theirGreedy.isNull() ? Optional.empty() : Optional.of(theirGreedy.asInt()), theirs);
                progress.update(i + 1, problems.size());
            }
            double accuracySeconds = (System.nanoTime() - start) / 1e9;

            report.put("problems", problems.size())
                    .put("samples_per_problem", samples)
                    .put("temperature", 0.8)
                    .put("greedy_accuracy", ours.greedy())
                    .put("single_sample_accuracy", ours.single())
                    .put("majority_at_" + samples + "_accuracy", ours.majority())
                    .put("greedy_text_match_rate", (double) textMatches / problems.size())
                    .put("unparseable_sample_rate", ours.unparseable())
                    .put("readme_pytorch_same_problems", new BenchReport()
                            .put("greedy_accuracy", reference.greedy())
                            .put("single_sample_accuracy", reference.single())
                            .put("majority_at_10_accuracy", reference.majority()))
                    .put("readme_all_600", new BenchReport().put("greedy_accuracy", 0.808)
                            .put("single_sample_accuracy", 0.726).put("majority_at_10_accuracy", 0.802));
            BenchReport steps = new BenchReport();
            byStep.forEach((count, tally) -> steps.put(String.valueOf(count), new BenchReport()
                    .put("n", tally.problems).put("greedy", tally.greedy()).put("single", tally.single())
                    .put("majority", tally.majority())));
            report.put("by_steps", steps).put("accuracy_seconds", accuracySeconds);

            speed(model, all, os, report);
            report.put("provider", model.providerUsed())
                    .put("intra_op_threads", threads)
                    .put("available_processors", Runtime.getRuntime().availableProcessors())
                    .put("load_average_at_start", loadBefore)
                    .put("load_average_at_end", os.getSystemLoadAverage());
        }
        report.print(System.out, json);
        return 0;
    }

    /** 40 chains of one question at a time, over questions of every step count. */
    private void speed(CausalLanguageModel model, List<JsonNode> all, com.sun.management.OperatingSystemMXBean os,
                       BenchReport report) {
        if (speedQuestions == 0) {
            return;
        }
        List<JsonNode> questions = JsonlRows.evenlySpaced(all, speedQuestions);
        int chains = 40;
        long tokens = 0;
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        Progress progress = new Progress("bench reasoner: 40-chain batches");
        for (int i = 0; i < questions.size(); i++) {
            for (Generation generation : model.generate(questions.get(i).get("prompt").asText(), chains,
                    GenerationOptions.sampling(0.8, 320, seed + i))) {
                tokens += generation.tokenIds().length;
            }
            progress.update(i + 1, questions.size());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        int total = chains * questions.size();
        report.put("chains_per_s", total / seconds)
                .put("chains_per_cpu_s", total / cpuSeconds)
                .put("generated_tokens_per_s", tokens / seconds)
                .put("speed_chains", total)
                .put("speed_seconds", seconds);
    }

    /** Accuracy counts under the README's definitions (unparseable samples do not vote; ties go to the first). */
    private static final class Tally {
        private int problems;
        private int greedyCorrect;
        private int samplesCorrect;
        private int samples;
        private int unparseable;
        private int majorityCorrect;

        void add(int gold, Optional<Integer> greedy, List<Optional<Integer>> sampled) {
            problems++;
            if (greedy.isPresent() && greedy.get() == gold) {
                greedyCorrect++;
            }
            Map<Integer, Integer> votes = new LinkedHashMap<>();
            for (Optional<Integer> answer : sampled) {
                samples++;
                if (answer.isEmpty()) {
                    unparseable++;
                    continue;
                }
                if (answer.get() == gold) {
                    samplesCorrect++;
                }
                votes.merge(answer.get(), 1, Integer::sum);
            }
            Integer majority = null;
            int best = 0;
            for (Map.Entry<Integer, Integer> vote : votes.entrySet()) {
                if (vote.getValue() > best) {
                    best = vote.getValue();
                    majority = vote.getKey();
                }
            }
            if (majority != null && majority == gold) {
                majorityCorrect++;
            }
        }

        double greedy() {
            return (double) greedyCorrect / problems;
        }

        double single() {
            return (double) samplesCorrect / samples;
        }

        double majority() {
            return (double) majorityCorrect / problems;
        }

        double unparseable() {
            return (double) unparseable / samples;
        }
    }
}
