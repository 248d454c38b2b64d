package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.StopReason;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning verifier}: {@code sample} draws chains from a model (the embedded tiny reasoner, or the user's
 * served model) on questions with known answers and writes them as labelled chains ({@link LabelledChainsFile});
 * {@code train} trains the learned outcome verifier ({@link LearnedVerifier}) on labelled chains (those, or
 * GSM8K-format model solutions: a question, its gold answer and four sources' solutions per line) with
 * {@link VerifierTrainer}'s held-out protocol, and writes its weights with their provenance.
 */
@Command(name = "verifier", mixinStandardHelpOptions = true,
        description = "The learned outcome verifier: sample a model's labelled chains, and train it on them.",
        subcommands = {VerifierCommand.Sample.class, VerifierCommand.Train.class, CommandLine.HelpCommand.class})
public final class VerifierCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: sample or train");
    }

    /** The name of the weights file {@code train} writes into {@code --out}. */
    static final String WEIGHTS_FILE = LearnedVerifier.SHIPPED_RESOURCE;

    /**
     * {@code reasoning verifier sample --out FILE [--problems FILE] [--samples N] [model options]}: draws chains from a
     * model on questions with gold answers and writes them as labelled chains for {@code train}. The rows
     * {@code bench aggregate --live} selects by default from the file are never read, whatever the file
     * ({@link TrainingRows}), so a verifier trained on them can be measured there.
     */
    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = "Sample chains from a model on questions with gold answers, as labelled chains for train; "
                    + "print JSON.")
    static final class Sample implements Callable<Integer> {

        @Option(names = "--problems", description = "Questions with gold answers (question, answer per line; "
                + "the answer one number); default " + BenchReasonerCommand.EVAL_FILE + ". " + TrainingRows.OPTION_HELP)
        private Path problems;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The labelled chains to write "
                + "(JSON lines; replaced atomically).")
        private Path out;

        @Option(names = "--samples", defaultValue = "10", description = "Chains per question (default 10).")
        private int samples;

        /** {@code --temperature} and {@code --max-tokens} of the sampled chains. */
        @CommandLine.Mixin
        private SamplingOptions sampling;

        @Option(names = "--seed", defaultValue = "42", description = "First seed; the question on 0-based row r "
                + "samples from seed + r * samples (default 42).")
        private long seed;

        @Option(names = "--max-problems", description = "Sample at most this many of the allowed questions, evenly "
                + "spaced (default: all).")
        private Integer maxProblems;

        @CommandLine.Mixin
        private ModelOptions modelOptions;

        @CommandLine.Mixin
        private CacheOption cache;

        @Option(names = "--json", description = "Print JSON (the only format).")
        private boolean json;

        @Override
        public Integer call() throws Exception {
            Arguments.atLeast(samples, 1, "--samples");
            sampling.check();
            if (maxProblems != null) {
                Arguments.atLeast(maxProblems, 1, "--max-problems");
            }
            ModelEndpoint endpoint = modelOptions.endpoint();
            cache.requireRemote(endpoint);
            RemoteModel.requireReachable(endpoint, cache);
            Path file = problems != null ? problems : SharedData.require(BenchReasonerCommand.EVAL_FILE, "--problems");
            OutFolder.file(out, file, cache.file);
            List<JsonlRows.GoldProblem> rows = JsonlRows.goldProblems(file);
            // Before the model loads: the rows training may read, refused here if too few are left.
            List<Integer> allowed = TrainingRows.allowed(file, rows.size(), 1, "one to sample");
            int excluded = rows.size() - allowed.size();
            if (maxProblems != null) {
                allowed = JsonlRows.evenlySpaced(allowed, maxProblems);
            }
            List<VerifierTrainer.LabelledChains> labelled = new ArrayList<>();
            Usage usage = Usage.NONE;
            int withoutChains = 0;
            int truncatedSamples = 0;
            StopReason stop = StopReason.COMPLETED;
            Progress progress = new Progress("verifier sample");
            // An export folder (--model DIR) is loaded as reasoning serve --model DIR loads it and called through
            // its loopback server as a served model is, so its chains are the served folder's.
            try (CacheOption closing = cache;
                 HuggingFaceOnnxModel local = endpoint.isRemote() ? null
                         : endpoint.isFolder() ? endpoint.folderLoader().build() : TinyReasoner.create();
                 RemoteModel remote = endpoint.isServed() ? RemoteModel.open(endpoint, local, cache) : null) {
                if (local != null) {
                    // Refused before any is sampled: in process sampling stopped on it, and an export folder's
                    // calls on it failed one by one, served on loopback.
                    ModelEndpoint.requireReadable(local, file, allowed, row -> rows.get(row).question());
                }
                if (endpoint.isFolder()) {
                    sampling.requireFits(local);
                }
                ChainSampler sampler = remote != null ? sampling.sampler(remote) : sampling.sampler(local);
                // The sampler's name, as the live bench names its chains' source, so the source accuracy learned
                // here is the one a bench or a user's sampler looks up.
                String source = sampler.name();
                // A remote endpoint that answers nothing (a wrong URL, model or key, no server) stops the run at once
                // rather than after every question's retries.
                for (int i = 0; i < allowed.size() && stop == StopReason.COMPLETED
                        && (remote == null || !remote.shouldStop()); i++) {
                    JsonlRows.GoldProblem problem = rows.get(allowed.get(i));
                    SampleBatch batch = sampler.sample(problem.question(), samples,
                            seed + (long) allowed.get(i) * samples);
                    usage = usage.plus(batch.usage());
                    truncatedSamples += batch.truncatedSamples();
                    stop = batch.stopReason();
                    if (batch.samples().isEmpty()) {
                        withoutChains++;
                    } else {
                        // The gold answer as the chains' answers are read ("1,600" as 1600), so chains_right and
                        // the file's labels count a right chain right.
                        labelled.add(new VerifierTrainer.LabelledChains(problem.question(), problem.gold(),
                                batch.chains(source)));
                    }
                    progress.update(i + 1, allowed.size());
                }
                // Throws, naming the endpoint, when it answered nothing: bad input, not an empty sample; and when
                // every call failed, in the one line every command gives a run the model failed.
                BenchReport endpointReport = remote != null ? remote.describeUsable(usage, "nothing written to " + out)
                        : endpoint.describe();
                if (labelled.isEmpty()) {
                    throw new IllegalStateException("no chain was sampled (" + usage.failedCalls() + " failed calls); "
                            + "nothing written to " + out);
                }
                LabelledChainsFile.write(out, labelled);
                AnswerExtractor numeric = AnswerExtractors.numeric();
                long chains = labelled.stream().mapToLong(q -> q.chains().size()).sum();
                long right = labelled.stream().mapToLong(q -> q.chains().stream().filter(chain -> numeric
                        .extract(chain.text()).map(answer -> numeric.equivalent(answer, q.gold())).orElse(false))
                        .count()).sum();
                BenchReport report = new BenchReport().put("problems", RetrievalSetup.dataName(file))
                        .put("bench_rows_excluded", excluded).put("questions", labelled.size())
                        .put("questions_without_chains", withoutChains).put("truncated_samples", truncatedSamples)
                        .put("samples_per_question", samples)
                        .put("chains", chains).put("chains_right", Math.round(10000.0 * right / chains) / 10000.0)
                        .put("source", source);
                sampling.report(report).put("stop_reason", stop.name().toLowerCase(Locale.ROOT))
                        .put("out", out.toString());
                report.put("usage", BenchReport.usage(usage));
                report.put("endpoint", endpointReport);
                cache.report(report);
                report.print(System.out, true);
            }
            return 0;
        }
    }

    /**
     * {@code reasoning verifier train --data FILE [--out DIR]}: splits by question, chooses the feature set and
     * penalty by cross-validation on the training questions, fixes the shipping rule, then reports the held-out
     * figures.
     */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train the learned verifier on labelled chains; print JSON.")
    static final class Train implements Callable<Integer> {

        @Option(names = "--data", required = true, description = "Labelled chains: GSM8K model solutions (question, "
                + "ground_truth and the solutions of 6b_finetuning, 6b_verification, 175b_finetuning, "
                + "175b_verification), or what verifier sample writes (question, answer, chains of text and source).")
        private Path data;

        @Option(names = "--out", paramLabel = "DIR", description = "Write " + WEIGHTS_FILE + " (weights and "
                + "provenance) into this folder.")
        private Path out;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the held-out split (default 42).")
        private long seed;

        @Option(names = "--held-out", defaultValue = "0.2", description = "Held-out fraction of the questions "
                + "(default 0.2).")
        private double heldOut;

        @Option(names = "--feature-sets", split = ",", description = "Feature sets to choose from by "
                + "cross-validation, +-joined groups of chain, agreement, text, answers, embedding (default: "
                + "chain, chain+agreement, chain+agreement+text, chain+agreement+answers, "
                + "chain+agreement+text+answers, chain+agreement+text+answers+embedding).")
        private List<String> featureSets;

        @Option(names = "--cv-repeats", defaultValue = "3", description = "Repeats of the 5-fold cross-validation "
                + "(default 3).")
        private int cvRepeats;

        @Option(names = "--json", description = "Print JSON (the only format).")
        private boolean json;

        @Override
        public Integer call() throws Exception {
            TextFiles.requireRegularFile(data);
            Path file = out == null ? null : OutFolder.file(out, WEIGHTS_FILE, data);
            List<String> sets = featureSets != null ? featureSets : VerifierTrainer.defaultFeatureSets(true);
            VerifierTrainer.Builder builder = VerifierTrainer.builder().seed(seed).heldOutFraction(heldOut)
                    .repeats(cvRepeats).featureSets(sets);
            boolean embeddings = sets.stream().anyMatch(set -> ChainFeatures.Feature.parseSet(set).stream()
                    .anyMatch(feature -> feature.group().equals("embedding")));
            List<VerifierTrainer.LabelledChains> questions = LabelledChainsFile.read(data);
            VerifierTrainer.DataRecord record = new VerifierTrainer.DataRecord(RetrievalSetup.dataName(data),
                    LabelledText.sha256(data));
            Progress progress = new Progress("verifier features");
            int training = questions.size() - VerifierTrainer.heldOutRows(questions.size(), seed, heldOut).size();
            LearnedVerifier.Weights weights;
            if (embeddings) {
                try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.create()) {
                    weights = builder.encoder(encoder).build().train(questions, record,
                            done -> progress.update(done, training));
                }
            } else {
                weights = builder.build().train(questions, record, done -> progress.update(done, training));
            }
            BenchReport report = new BenchReport().put("data", record.name()).put("data_sha256", record.sha256());
            // Training labels a chain by its answer, as the bench scores it: a file whose labels disagree says so.
            ModelSolutions.checkLabels(data).addTo(report);
            if (file != null) {
                weights.save(file);
                report.put("out", file.toString());
            }
            report(report, weights.provenance()).print(System.out, true);
            return 0;
        }
    }

    /** The provenance as the CLI and the bench print it. */
    static BenchReport report(BenchReport report, VerifierProvenance provenance) {
        report.put("questions", provenance.questions()).put("train_questions", provenance.trainQuestions())
                .put("held_out_questions", provenance.heldOutQuestions()).put("seed", provenance.seed())
                .put("features", provenance.features()).put("l2", provenance.l2())
                .put("shipping_rule", provenance.shippingRule());
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (VerifierProvenance.Candidate candidate : provenance.crossValidation()) {
            candidates.add(Map.of("features", candidate.features(), "l2", candidate.l2(),
                    "accuracy", candidate.accuracy(), "accuracy_sd_over_folds", candidate.accuracySd(),
                    "weighted_vote_accuracy", candidate.weightedVoteAccuracy(),
                    "best_single_model", candidate.bestSingleSource()));
        }
        report.put("cross_validation", candidates);
        report.put("cross_validation_by_agreement", byAgreement(provenance));
        return report.put("held_out", figures(provenance.heldOut()));
    }

    /** The chosen candidate's cross-validated figures per agreement class, most agreement first. */
    static BenchReport byAgreement(VerifierProvenance provenance) {
        BenchReport classes = new BenchReport();
        provenance.crossValidationByAgreement().forEach((name, figures) -> classes.put(name, figures(figures)));
        return classes;
    }

    private static BenchReport figures(VerifierProvenance.Figures figures) {
        return new BenchReport().put("questions", figures.questions()).put("accuracy", figures.accuracy())
                .put("weighted_vote_accuracy", figures.weightedVoteAccuracy())
                .put("best_single_model", figures.bestSingleSource()).put("oracle", figures.oracle());
    }
}
