package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.aggregate.AggregationResult;
import dev.reasoningsdk.api.aggregate.Aggregator;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.aggregate.AggregationOfReasoning;
import dev.reasoningsdk.impl.aggregate.ArithmeticVerifier;
import dev.reasoningsdk.impl.aggregate.LearnedVerifier;
import dev.reasoningsdk.impl.aggregate.MajorityVote;
import dev.reasoningsdk.impl.aggregate.SourceReliability;
import dev.reasoningsdk.impl.aggregate.VerifierProvenance;
import dev.reasoningsdk.impl.aggregate.WeightedVote;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.AllMiniLmL6V2Encoder;
import dev.reasoningsdk.impl.retrieval.LabelledText;
import dev.reasoningsdk.impl.training.VerifierTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The {@code learned_verifier} entry of {@code bench aggregate}'s offline part: a {@link LearnedVerifier} (the
 * shipped weights, or a user's from {@code verifier train}) as best-of-N (AoR with one representative per answer and
 * no threshold), as the weights of a vote, and as AoR's judge with its defaults, next to the best single model,
 * majority and AoR with the arithmetic verifier on the same questions.
 *
 * <p>Only the questions the verifier never saw are scored: a question whose digest is among its training
 * questions' ({@link VerifierProvenance#trainedOn}) is skipped and counted, in any file, so a copy, subset or
 * reshuffle of the training file is scored on its held-out questions only. On the training file itself (recognised
 * by its SHA-256) the questions left are checked to be exactly the held-out rows its provenance lists. The
 * cross-validated figure of its training (mean and spread over folds) is reported beside.
 */
final class LearnedVerifierBench {

    private LearnedVerifierBench() {
    }

    /**
     * The entry for {@code questions}, read from {@code file}, scored by {@code weights} ({@code weightsName} says
     * which in the report).
     *
     * @throws IllegalArgumentException if the weights do not record the questions they were trained on, so none
     *                                  can be told to be unseen
     */
    static BenchReport report(Path file, List<VerifierTrainer.LabelledChains> questions,
                              LearnedVerifier.Weights weights, String weightsName) throws IOException {
        VerifierProvenance provenance = weights.provenance();
        if (!provenance.recordsTrainingQuestions()) {
            throw new IllegalArgumentException("the learned verifier " + weightsName + " does not record the "
                    + "questions it was trained on, so none of " + file + " can be told to be unseen; retrain it "
                    + "with verifier train");
        }
        boolean trainingFile = LabelledText.sha256(file).equals(provenance.dataSha256());
        List<Integer> rows = IntStream.range(0, questions.size())
                .filter(row -> !provenance.trainedOn(questions.get(row).question())).boxed().toList();
        if (trainingFile && !rows.equals(provenance.heldOutRows())) {
            throw new IllegalStateException(file + " has the training file's hash, but the questions the verifier "
                    + "was not trained on are not the held-out rows its provenance lists");
        }
        if (rows.isEmpty()) {
            return new BenchReport().put("weights", weightsName).put("skipped", "the verifier was trained on every "
                    + "one of this file's " + questions.size() + " questions: none can measure it")
                    .put("training_questions_skipped", questions.size());
        }
        BenchReport report;
        if (!weights.readsEmbeddings()) {
            report = report(LearnedVerifier.builder().weights(weights).build(), weightsName, questions, rows,
                    trainingFile, provenance);
        } else {
            try (AllMiniLmL6V2Encoder encoder = AllMiniLmL6V2Encoder.create()) {
                report = report(LearnedVerifier.builder().weights(weights).encoder(encoder).build(), weightsName,
                        questions, rows, trainingFile, provenance);
            }
        }
        // The reliability of a source it never saw is the pooled training accuracy, whatever the source: its
        // figures then say little about the source features it leans on, and the reader should know.
        List<String> unseen = rows.stream().flatMap(row -> questions.get(row).chains().stream())
                .map(ReasoningChain::source).distinct().filter(source -> !weights.sourceAccuracy().containsKey(source))
                .toList();
        return report.put("unseen_sources", unseen);
    }

    private static BenchReport report(LearnedVerifier verifier, String weightsName,
                                      List<VerifierTrainer.LabelledChains> questions, List<Integer> rows,
                                      boolean trainingFile, VerifierProvenance provenance) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        Map<String, Aggregator> methods = new LinkedHashMap<>();
        methods.put("accuracy", AggregationOfReasoning.builder().extractor(numeric).scorer(verifier)
                .representatives(1).scoreThreshold(0).build());
        methods.put("weighted_vote_accuracy", WeightedVote.builder().extractor(numeric).scorer(verifier).build());
        methods.put("aor_accuracy", AggregationOfReasoning.builder().extractor(numeric).scorer(verifier).build());
        methods.put("majority", MajorityVote.of(numeric));
        methods.put("aor_arithmetic_verifier", AggregationOfReasoning.builder().extractor(numeric)
                .scorer(ArithmeticVerifier.builder().wholeNumberAnswers(true).build()).build());
        // As the bench's own "verifier" entry: reliability fitted without labels on every question of the file.
        SourceReliability reliability = SourceReliability.fit(numeric,
                questions.stream().map(VerifierTrainer.LabelledChains::chains).toList());
        Map<String, Integer> right = new LinkedHashMap<>();
        SourceAccuracy sourceAccuracy = new SourceAccuracy(numeric);
        Usage usage = Usage.NONE;
        int oracle = 0;
        Progress progress = new Progress("learned verifier");
        for (int done = 0; done < rows.size(); done++) {
            VerifierTrainer.LabelledChains question = questions.get(rows.get(done));
            oracle += sourceAccuracy.add(question) ? 1 : 0;
            for (Map.Entry<String, Aggregator> method : methods.entrySet()) {
                List<ReasoningChain> chains = !method.getKey().equals("aor_arithmetic_verifier") ? question.chains()
                        : question.chains().stream().map(c -> c.withWeight(reliability.sourceWeight(c.source())))
                        .toList();
                AggregationResult result = method.getValue().aggregate(question.question(), chains);
                right.merge(method.getKey(), BenchAggregateCommand.correct(numeric, result.answer(), question.gold())
                        ? 1 : 0, Integer::sum);
                if (!method.getKey().equals("majority") && !method.getKey().equals("aor_arithmetic_verifier")) {
                    usage = usage.plus(result.usage());
                }
            }
            progress.update(done + 1, rows.size());
        }
        int n = rows.size();
        BenchReport report = new BenchReport();
        report.put("accuracy", share(right.get("accuracy"), n))
                .put("weighted_vote_accuracy", share(right.get("weighted_vote_accuracy"), n))
                .put("aor_accuracy", share(right.get("aor_accuracy"), n))
                .put("n_questions", n)
                .put("weights", weightsName)
                .put("training_questions_skipped", questions.size() - n)
                .put("rows", trainingFile ? "only the " + n + " questions the verifier never saw: the "
                        + "held-out rows of its split (seed " + provenance.seed() + ", fraction "
                        + provenance.heldOutFraction() + ", 0-based rows listed in its provenance); this is its "
                        + "training file" : questions.size() == n ? "every row: none of this file's questions is "
                        + "among the verifier's training questions" : "the " + n + " questions the verifier never "
                        + "saw; " + (questions.size() - n) + " of this file's questions are among "
                        + "its training questions (by digest) and are not scored");
        report.put("same_questions", new BenchReport()
                .put("best_single_model", round(sourceAccuracy.best()))
                .put("majority_first_seen_ties", share(right.get("majority"), n))
                .put("aor_arithmetic_verifier", share(right.get("aor_arithmetic_verifier"), n))
                .put("oracle", share(oracle, n)));
        VerifierProvenance.Candidate chosen = provenance.crossValidation().stream()
                .filter(c -> c.features().equals(provenance.features()) && c.l2() == provenance.l2()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the provenance lacks its chosen candidate"));
        report.put("cross_validated_dev", new BenchReport().put("data", provenance.data())
                .put("train_questions", provenance.trainQuestions()).put("features", chosen.features())
                .put("l2", chosen.l2()).put("accuracy", chosen.accuracy())
                .put("accuracy_sd_over_folds", chosen.accuracySd())
                .put("weighted_vote_accuracy", chosen.weightedVoteAccuracy())
                .put("best_single_model", chosen.bestSingleSource())
                .put("by_agreement", VerifierCommand.byAgreement(provenance)));
        report.put("usage", BenchReport.usage(usage));
        report.put("notes", "accuracy: best-of-N, the answer of the chain the verifier scores highest (AoR with "
                + "one representative and no threshold); weighted_vote_accuracy: its scores as vote weights; "
                + "aor_accuracy: AoR's defaults with it as judge; same_questions.aor_arithmetic_verifier: the "
                + "gsm8k.verifier entry (AoR, arithmetic verifier, reliability weights for ties) on these questions; "
                + "unseen_sources: the scored chains' sources the verifier was not trained on, each given its pooled "
                + "training accuracy as reliability");
        return report;
    }

    private static double share(int count, int n) {
        return n == 0 ? 0 : round((double) count / n);
    }

    private static double round(double value) {
        return Math.round(10000.0 * value) / 10000.0;
    }
}
