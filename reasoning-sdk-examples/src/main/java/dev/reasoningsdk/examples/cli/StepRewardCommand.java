package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.aggregate.HiddenStateStepReward;
import dev.reasoningsdk.impl.aggregate.StepRewardProvenance;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.training.StepRewardTrainer;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning step-reward train}: trains the learned process reward ({@link HiddenStateStepReward}) of the tiny
 * reasoner, or with {@code --model DIR} of a user's own Hugging Face ONNX export, with {@link StepRewardTrainer} on
 * the problems of the file that the default selection of {@code bench aggregate --live} does not use
 * ({@link TrainingRows}), and writes the head with its provenance.
 */
@Command(name = "step-reward", mixinStandardHelpOptions = true,
        description = "The learned process reward on a local model's hidden state (the tiny reasoner, or --model "
                + "DIR): train it.",
        subcommands = {StepRewardCommand.Train.class, CommandLine.HelpCommand.class})
public final class StepRewardCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train");
    }

    /** {@code reasoning step-reward train [--problems FILE] [--out DIR] --json}. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train the process-reward head on the model's own rollouts (the tiny reasoner, or --model "
                    + "DIR); print JSON.")
    static final class Train implements Callable<Integer> {

        @Option(names = "--problems", description = "Problems with gold answers (question, answer per line); default "
                + BenchReasonerCommand.EVAL_FILE + ". " + TrainingRows.OPTION_HELP)
        private Path problems;

        @Option(names = "--out", paramLabel = "DIR", description = "Write " + HiddenStateStepReward.SHIPPED_RESOURCE
                + " (head and provenance) into this folder.")
        private Path out;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of rollouts and folds (default 42).")
        private long seed;

        @Option(names = "--samples", paramLabel = "N", description = "Chains sampled per problem (default "
                + "${DEFAULT-VALUE}).")
        private int samples = 8;

        /** {@code --samples}' deprecated name ({@link DeprecatedOption}). */
        @Option(names = "--chains", hidden = true,
                description = DeprecatedOption.PREFIX + "--samples", paramLabel = "N")
        void chains(int chains) {
            samples = chains;
        }

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--completions", defaultValue = "4", description = "Completions per prefix for the "
                + "Math-Shepherd labels (default 4).")
        private int completions;

        @Option(names = "--layers", split = ",", defaultValue = "-1", description = "Hidden-state layers to choose "
                + "from by cross-validation (default -1, the final state).")
        private int[] layers;

        @Option(names = "--max-problems", description = "Train on at most this many of the allowed problems, evenly "
                + "spaced (default: all).")
        private Integer maxProblems;

        @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face ONNX export folder (decoder with "
                + "past, exported with its hidden states) to train the head for, under the folder's name as its model "
                + "id (default: the embedded tiny reasoner).")
        private Path modelFolder;

        @Option(names = "--threads", defaultValue = "2", description = "ONNX intra-op threads (default 2).")
        private int threads;

        @Option(names = "--json", description = "Print JSON (the only format).")
        private boolean json;

        @Override
        public Integer call() throws Exception {
            DeprecatedOption.refuseBoth(spec, "--chains", "--samples");
            if (maxProblems != null && maxProblems < 5) {
                throw new IllegalArgumentException("--max-problems must be >= 5 (the folds), was " + maxProblems);
            }
            // Named as the caller wrote it, not as the trainer's builder names it (chainsPerProblem).
            Arguments.atLeast(samples, 1, "--samples");
            Path file = problems != null ? problems : SharedData.require(BenchReasonerCommand.EVAL_FILE, "--problems");
            Path target = out == null ? null
                    : OutFolder.file(out, HiddenStateStepReward.SHIPPED_RESOURCE, file, modelFolder);
            StepRewardTrainer trainer = StepRewardTrainer.builder().seed(seed).chainsPerProblem(samples)
                    .completions(completions).layers(layers).build();
            List<JsonNode> rows = JsonlRows.distinctProblems(file, "training would weigh it twice and could score "
                    + "one fold on a copy another fold trained on");
            // Said here, before the model loads, and in the caller's terms rather than the trainer's "0 problems".
            List<Integer> allowed = TrainingRows.allowed(file, rows.size(), 5, "the 5 folds");
            List<Integer> trainingRows = maxProblems == null ? allowed
                    : JsonlRows.evenlySpaced(allowed, maxProblems);
            TreeSet<Integer> skipped = IntStream.range(0, rows.size()).boxed()
                    .collect(Collectors.toCollection(TreeSet::new));
            trainingRows.forEach(skipped::remove);
            List<StepRewardTrainer.Problem> all = new ArrayList<>();
            for (JsonNode row : rows) {
                all.add(new StepRewardTrainer.Problem(row.path("question").asText(), JsonlRows.gold(row)));
            }
            VerifierTrainer.DataRecord record = new VerifierTrainer.DataRecord(RetrievalSetup.dataName(file),
                    LabelledText.sha256(file));
            Progress progress = new Progress("step-reward rollouts");
            HiddenStateStepReward.Weights weights;
            HuggingFaceOnnxModel.Builder loader = modelFolder == null ? TinyReasoner.builder()
                    : ModelEndpoint.folderLoader(modelFolder);
            try (HuggingFaceOnnxModel model = loader.intraOpThreads(threads).hiddenStateLayers(layers).build()) {
                // Every training problem is checked before the rollouts, which stopped on one the model cannot read
                // only when they reached it, without naming it.
                ModelEndpoint.requireReadable(model, file, trainingRows,
                        row -> rows.get(row).path("question").asText());
                weights = trainer.train(model, all, skipped, record,
                        done -> progress.update(done, trainingRows.size()));
            }
            BenchReport report = new BenchReport().put("data", record.name()).put("data_sha256", record.sha256())
                    .put("bench_rows_excluded", rows.size() - allowed.size());
            if (target != null) {
                weights.save(target);
                report.put("out", target.toString());
            }
            report(report, weights).print(System.out, true);
            return 0;
        }
    }

    /** The provenance as the CLI prints it. */
    static BenchReport report(BenchReport report, HiddenStateStepReward.Weights weights) {
        StepRewardProvenance p = weights.provenance();
        report.put("model", weights.modelId()).put("problems", p.problems()).put("train_problems", p.trainProblems())
                .put("prefixes", p.prefixes()).put("seed", p.seed()).put("labels", p.labels())
                .put("layer", p.layer()).put("l2", p.l2()).put("mapping", p.mapping())
                .put("combination", p.combination()).put("shipping_rule", p.shippingRule());
        report.put("cross_validation", candidates(p.crossValidation()));
        return report.put("baselines", candidates(p.baselines()));
    }

    private static List<Map<String, Object>> candidates(List<StepRewardProvenance.Candidate> candidates) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (StepRewardProvenance.Candidate c : candidates) {
            list.add(Map.of("name", c.name(), "accuracy", c.accuracy(), "accuracy_sd_over_folds", c.accuracySd(),
                    "right_step_penalty", c.rightStepPenalty(), "wrong_chain_penalty", c.wrongChainPenalty()));
        }
        return list;
    }
}
