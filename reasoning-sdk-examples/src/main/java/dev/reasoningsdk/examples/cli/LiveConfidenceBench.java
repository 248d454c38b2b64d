package dev.reasoningsdk.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.confidence.LogisticCombiner;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The live half of {@code bench confidence}: K chains per problem sampled from the embedded tiny reasoner at
 * T = 0.8 (one batched decode per problem through {@link LocalModelSampler}, seeds {@code id * K} onwards), then four confidence scores for the majority answer, each judged by AUROC and ECE raw and calibrated
 * (cross-fitted): sampling consistency (agreement), the mean token probability of the majority answer's tokens,
 * 1 - the normalised entropy of the answers, and a logistic combiner of agreement, entropy and mean and minimum
 * token probability (its weights fitted on one half and applied to the other, both ways).
 *
 * <p>Problems are taken at an even stride over the eval file (100 per step count, so every difficulty is present),
 * then shuffled with a fixed seed so both halves of the cross-fitting see every difficulty.
 */
final class LiveConfidenceBench {

    private static final List<String> COMBINED = List.of("consistency.agreement", "consistency.entropy",
            "token_probability.mean_token_probability", "token_probability.min_token_probability");

    private final Path problems;
    private final int limit;
    private final int samples;

    LiveConfidenceBench(Path problems, int limit, int samples) {
        this.problems = problems;
        this.limit = limit;
        this.samples = samples;
    }

    BenchReport run() throws IOException {
        List<JsonNode> selected = select();
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SamplingConsistency consistency = SamplingConsistency.of(numeric);
        int n = selected.size();
        double[] agreement = new double[n];
        double[] tokenProbability = new double[n];
        double[] certainty = new double[n];
        boolean[] correct = new boolean[n];
        List<Map<String, Double>> signals = new ArrayList<>();
        long started = System.nanoTime();
        int modelCalls = 0;
        try (TinyReasoner model = TinyReasoner.builder().intraOpThreads(2).build()) {
            LocalModelSampler sampler = LocalModelSampler.builder().model(model).temperature(0.8).build();
            // The sampler strips the space the model writes after "A:", so the scored prompt carries it.
            TokenProbabilityConfidence tokenProbabilities = TokenProbabilityConfidence.builder().model(model)
                    .promptFormat(question -> TinyReasoner.prompt(question) + " ")
                    .score(TokenProbabilityConfidence.Score.MEAN).askIfSure(false).build();
            Progress progress = new Progress("bench confidence --live");
            for (int i = 0; i < n; i++) {
                JsonNode problem = selected.get(i);
                String question = problem.path("question").asText();
                SampleBatch batch = sampler.sample(question, samples, problem.path("id").asLong() * samples);
                if (batch.samples().isEmpty()) {
                    throw new IllegalStateException("no sample for problem " + problem.path("id") + ": "
                            + batch.failures());
                }
                List<ReasoningChain> chains = batch.chains(sampler.name());
                ConfidenceEstimate estimate = consistency.estimate(question, chains);
                AnswerGroups groups = AnswerGroups.of(chains, numeric);
                // Score the majority answer as the first chain that reaches it states it.
                ReasoningChain majorityChain = groups.majority()
                        .map(group -> chains.get(group.members().get(0))).orElse(chains.get(0));
                ConfidenceEstimate tokens = tokenProbabilities.estimate(question, List.of(majorityChain));
                modelCalls += batch.usage().modelCalls() + tokens.usage().modelCalls();
                agreement[i] = estimate.confidence();
                tokenProbability[i] = tokens.confidence();
                certainty[i] = 1 - estimate.signals().get("normalized_entropy");
                String gold = problem.path("answer").asText();
                correct[i] = estimate.answer().filter(answer -> numeric.equivalent(answer, gold)).isPresent();
                Map<String, Double> row = new LinkedHashMap<>(LogisticCombiner.prefixed(consistency.name(), estimate));
                row.putAll(LogisticCombiner.prefixed(tokenProbabilities.name(), tokens));
                signals.add(row);
                progress.update(i + 1, n);
            }
        }
        BenchReport report = new BenchReport()
                .put("problems", n)
                .put("samples_per_problem", samples)
                .put("temperature", 0.8)
                .put("model_calls", modelCalls)
                .put("wall_seconds", (System.nanoTime() - started) / 1e9);
        Map<String, LabelledScores> scores = new LinkedHashMap<>();
        scores.put("consistency", LabelledScores.of(agreement, correct));
        scores.put("mean_token_probability", LabelledScores.of(tokenProbability, correct));
        scores.put("entropy", LabelledScores.of(certainty, correct));
        scores.put("combiner", LabelledScores.of(outOfFoldCombiner(signals, correct), correct));
        String best = null;
        double bestAuroc = Double.NEGATIVE_INFINITY;
        for (var entry : scores.entrySet()) {
            BenchReport figures = new BenchReport();
            BenchConfidenceCommand.evaluate(entry.getValue(), figures);
            report.put(entry.getKey(), figures);
            double auroc = (double) figures.figures().get("auroc");
            if (auroc > bestAuroc) {
                bestAuroc = auroc;
                best = entry.getKey();
            }
        }
        report.put("entropy_score", "1 - entropy / ln K of the answer distribution")
                .put("combiner_signals", COMBINED)
                .put("best_auroc_score", best)
                .put("best_auroc", bestAuroc)
                .put("target_best_auroc_0_80_met", bestAuroc >= 0.80);
        return report;
    }

    /** Combiner scores for each half from weights fitted on the other half. */
    private static double[] outOfFoldCombiner(List<Map<String, Double>> signals, boolean[] correct) {
        int n = signals.size();
        int half = n / 2;
        double[] scores = new double[n];
        for (int fold = 0; fold < 2; fold++) {
            int from = fold == 0 ? 0 : half;
            int to = fold == 0 ? half : n;
            List<Map<String, Double>> trainRows = new ArrayList<>();
            List<Boolean> trainLabels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i < from || i >= to) {
                    trainRows.add(signals.get(i));
                    trainLabels.add(correct[i]);
                }
            }
            boolean[] labels = new boolean[trainLabels.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = trainLabels.get(i);
            }
            LogisticCombiner.Weights weights = LogisticCombiner.Weights.fit(trainRows, labels, COMBINED, 1.0);
            for (int i = from; i < to; i++) {
                scores[i] = weights.score(signals.get(i));
            }
        }
        return scores;
    }

    private List<JsonNode> select() throws IOException {
        List<JsonNode> all = JsonlRows.read(problems);
        if (all.size() < 2) {
            throw new IllegalArgumentException(problems + " holds fewer than 2 problems");
        }
        List<JsonNode> selected = new ArrayList<>(JsonlRows.evenlySpaced(all, limit));
        Collections.shuffle(selected, new Random(42));
        return selected;
    }
}
