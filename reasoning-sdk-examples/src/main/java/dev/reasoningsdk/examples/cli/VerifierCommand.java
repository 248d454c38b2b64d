package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.aggregate.internal.ChainFeatures;
import dev.reasoningsdk.impl.internal.TextFiles;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reasoning verifier train}: trains the learned outcome verifier ({@link LearnedVerifier}) on GSM8K-format
 * model solutions (a question, its gold answer and four sources' solutions per line) with
 * {@link VerifierTrainer}'s held-out protocol, and writes its weights with their provenance.
 */
@Command(name = "verifier", mixinStandardHelpOptions = true,
        description = "The learned outcome verifier: train it on labelled chains.",
        subcommands = {VerifierCommand.Train.class, CommandLine.HelpCommand.class})
public final class VerifierCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train");
    }

    /** The name of the weights file {@code train} writes into {@code --out}. */
    static final String WEIGHTS_FILE = LearnedVerifier.SHIPPED_RESOURCE;

    /**
     * {@code reasoning verifier train --data FILE [--out DIR]}: splits by question, chooses the feature set and
     * penalty by cross-validation on the training questions, fixes the shipping rule, then reports the held-out
     * figures.
     */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train the learned verifier on GSM8K-format model solutions; print JSON.")
    static final class Train implements Callable<Integer> {

        @Option(names = "--data", required = true, description = "GSM8K model solutions: question, ground_truth "
                + "and the solutions of " + "6b_finetuning, 6b_verification, 175b_finetuning, 175b_verification.")
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
            Path file = out == null ? null : OutFolder.file(out, WEIGHTS_FILE);
            List<String> sets = featureSets != null ? featureSets : VerifierTrainer.defaultFeatureSets(true);
            VerifierTrainer.Builder builder = VerifierTrainer.builder().seed(seed).heldOutFraction(heldOut)
                    .repeats(cvRepeats).featureSets(sets);
            boolean embeddings = sets.stream().anyMatch(set -> ChainFeatures.Feature.parseSet(set).stream()
                    .anyMatch(feature -> feature.group().equals("embedding")));
            List<VerifierTrainer.LabelledChains> questions = new ArrayList<>();
            for (ModelSolutions row : ModelSolutions.read(data, Integer.MAX_VALUE)) {
                questions.add(new VerifierTrainer.LabelledChains(row.question(), row.gold(), row.chains()));
            }
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
