package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.reasoningsdk.api.LogProbsUnavailableException;
import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChainSampler;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.confidence.AnswerGroups;
import dev.reasoningsdk.impl.confidence.FittedCalibrator;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.confidence.LogisticCombiner;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.TokenProbabilityConfidence;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.llm.LocalModelSampler;
import dev.reasoningsdk.impl.onnx.TinyReasoner;
import dev.reasoningsdk.impl.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The live half of {@code bench confidence}: K chains per problem sampled at T = 0.8 from the embedded tiny reasoner
 * (one batched decode per problem through {@link LocalModelSampler}) or from a remote model ({@code --provider
 * openai|ollama}, through {@code ChatModelSampler}), seeds {@code seed + row * K} onwards ({@code seed} from {@code
 * --seed}, default 0; {@code row} the problem's 0-based row in the file, which is its {@code id} in the shipped file),
 * then four confidence scores for the majority answer, each judged by AUROC and ECE raw and calibrated (cross-fitted):
 * sampling consistency (agreement), the mean token probability of the majority answer's tokens, R-Tuning's P(sure)
 * (asked after the first chain that reaches the majority answer; problems where it could not be read are left out of
 * that score and counted), 1 - the normalised entropy of the answers, and a logistic combiner of agreement, entropy and
 * mean and minimum token probability (its weights fitted on one half and applied to the other, both ways; skipped,
 * with the reason, when a half's answers are all right or all wrong, which no weights can be fitted on). In process
 * the token probabilities are scored by the tiny reasoner; from a remote model they are read from the log-probabilities
 * it returned with each chain and with its reply to the R-Tuning question (the same figures from a served tiny
 * reasoner). A model that returns none gets those scores reported as skipped.
 *
 * <p>Problems are taken at an even stride over the eval file (100 per step count, so every difficulty is present),
 * then shuffled with a fixed seed so both halves of the cross-fitting see every difficulty.
 */
final class LiveConfidenceBench {

    private static final List<String> COMBINED = List.of("consistency.agreement", "consistency.entropy",
            "token_probability.mean_token_probability", "token_probability.min_token_probability");

    private final Path problems;
    private final List<Selected> selected;
    private final int samples;
    private final long seed;
    private final SamplingOptions sampling;
    private final ModelEndpoint endpoint;
    private final CacheOption cache;
    /** Where the consistency score's calibrator is written ({@code --calibrator-out}); null for nowhere. */
    private final Path calibratorOut;

    /**
     * Reads and checks the problems now, so that a bad file is refused before the offline bench runs.
     *
     * @throws IllegalArgumentException naming the file and line of a row without a text {@code question} and an
     *                                  integer {@code answer} (before, such rows were sampled as empty questions and
     *                                  scored against an empty gold answer), or if it holds fewer than 2 problems
     */
    LiveConfidenceBench(Path problems, int maxProblems, int samples, long seed, SamplingOptions sampling,
                        ModelEndpoint endpoint, CacheOption cache, Path calibratorOut) throws IOException {
        this.calibratorOut = calibratorOut;
        this.problems = problems;
        this.selected = select(problems, maxProblems);
        this.samples = samples;
        this.seed = seed;
        this.sampling = sampling;
        this.endpoint = endpoint;
        this.cache = cache;
    }

    /**
     * Refuses, before any problem runs, a selected problem {@code model} cannot read (a character outside its
     * vocabulary, a prompt that fills its context), naming its row of the file: sampling stopped on it in process, and
     * an export folder's calls on it failed one by one, served on loopback.
     *
     * @throws IllegalArgumentException naming the first such problem, in file order
     */
    void requireReadable(CausalLanguageModel model) {
        Map<Integer, String> questionsByRow = new TreeMap<>();
        selected.forEach(problem -> questionsByRow.put(problem.row(), problem.problem().path("question").asText()));
        ModelEndpoint.requireReadable(model, problems, questionsByRow.keySet(), questionsByRow::get);
    }

    /**
     * Runs the bench.
     *
     * @param folder the export folder's model of {@code --model DIR}, loaded as {@code reasoning serve --model DIR}
     *               loads it (and called as a served model is); null for any other endpoint
     */
    BenchReport run(HuggingFaceOnnxModel folder) throws IOException {
        if (endpoint.isServed()) {
            try (RemoteModel remote = RemoteModel.open(endpoint, folder, cache)) {
                // The server formats the question as its model's prompt; the chains carry their log-probabilities.
                TokenProbabilityConfidence tokenProbabilities = TokenProbabilityConfidence.builder()
                        .gateway(remote.gateway()).score(TokenProbabilityConfidence.Score.MEAN).askIfSure(true).build();
                Scored scored = score(selected, sampling.sampler(remote), tokenProbabilities, remote::shouldStop);
                return report(scored).put("endpoint", remote.describeUsable(scored.usage, "no live figures"));
            }
        }
        try (HuggingFaceOnnxModel model = TinyReasoner.builder().intraOpThreads(2).build()) {
            requireReadable(model);
            LocalModelSampler sampler = sampling.sampler(model);
            TokenProbabilityConfidence tokenProbabilities = tinyReasonerTokenScorer(model)
                    .score(TokenProbabilityConfidence.Score.MEAN).askIfSure(true).build();
            Scored scored = score(selected, sampler, tokenProbabilities, () -> false);
            return report(scored).put("endpoint", endpoint.describe().put("usage", BenchReport.usage(scored.usage)));
        }
    }

    /**
     * The token-probability scorer of chains the embedded tiny reasoner sampled ({@link LocalModelSampler}), which
     * scores them in process: the bench's and {@code reasoning confidence}'s.
     */
    static TokenProbabilityConfidence.Builder tinyReasonerTokenScorer(HuggingFaceOnnxModel model) {
        // The sampler strips the space the model writes after "A:", so the scored prompt carries it.
        return TokenProbabilityConfidence.builder().model(model)
                .promptFormat(question -> TinyReasoner.prompt(question) + " ");
    }

    /** The per-problem scores and labels, and what they cost. */
    private static final class Scored {
        final List<Double> agreement = new ArrayList<>();
        final List<Double> tokenProbability = new ArrayList<>();
        /** P(sure) per problem, NaN where it could not be read. */
        final List<Double> pSure = new ArrayList<>();
        final List<Double> certainty = new ArrayList<>();
        final List<Boolean> correct = new ArrayList<>();
        final List<Map<String, Double>> signals = new ArrayList<>();
        final long started = System.nanoTime();
        int withoutSamples;
        /** Samples cut off at the token limit, which no score reads ({@code truncated_samples}). */
        int truncatedSamples;
        boolean budgetSpent;
        boolean withTokenProbabilities;
        LogProbsUnavailableException logProbsUnavailable;
        Usage usage = Usage.NONE;
    }

    /**
     * K chains per problem (seeds {@code seed + row * K} onwards) and the scores of the majority answer; token
     * probabilities only when {@code tokenProbabilities} is given, and only while the model returns the
     * log-probabilities they need. A problem whose samples all failed is left out and counted; sampling stops once
     * {@code shouldStop} says so.
     */
    private Scored score(List<Selected> selected, ChainSampler sampler,
                         TokenProbabilityConfidence tokenProbabilities, BooleanSupplier shouldStop) {
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SamplingConsistency consistency = SamplingConsistency.of(numeric);
        Scored scored = new Scored();
        scored.withTokenProbabilities = tokenProbabilities != null;
        Progress progress = new Progress("bench confidence --live");
        for (int i = 0; i < selected.size(); i++) {
            if (shouldStop.getAsBoolean()) {
                scored.budgetSpent = true;
                break;
            }
            JsonNode problem = selected.get(i).problem();
            String question = problem.path("question").asText();
            // By the row, not the row's id: a user's file may have no ids, or repeat one, and every problem of it
            // would then be sampled with the same seeds.
            SampleBatch batch = sampler.sample(question, samples, seed + (long) selected.get(i).row() * samples);
            scored.usage = scored.usage.plus(batch.usage());
            scored.truncatedSamples += batch.truncatedSamples();
            if (batch.samples().isEmpty()) {
                scored.withoutSamples++;
                continue;
            }
            List<ReasoningChain> chains = batch.chains(sampler.name());
            ConfidenceEstimate estimate = consistency.estimate(question, chains);
            Map<String, Double> row = new LinkedHashMap<>(LogisticCombiner.prefixed(consistency.name(), estimate));
            if (scored.withTokenProbabilities) {
                AnswerGroups groups = AnswerGroups.of(chains, numeric);
                // Score the majority answer as the first chain that reaches it states it.
                ReasoningChain majorityChain = groups.majority()
                        .map(group -> chains.get(group.members().get(0))).orElse(chains.get(0));
                try {
                    ConfidenceEstimate tokens = tokenProbabilities.estimate(question, List.of(majorityChain));
                    scored.usage = scored.usage.plus(tokens.usage());
                    scored.tokenProbability.add(tokens.confidence());
                    scored.pSure.add(tokens.signals().getOrDefault("p_sure", Double.NaN));
                    row.putAll(LogisticCombiner.prefixed(tokenProbabilities.name(), tokens));
                } catch (LogProbsUnavailableException unavailable) {
                    // The model returns no log-probabilities: the token scores cannot run on it at all.
                    scored.withTokenProbabilities = false;
                    scored.logProbsUnavailable = unavailable;
                }
            }
            scored.agreement.add(estimate.confidence());
            scored.certainty.add(1 - estimate.signals().get("normalized_entropy"));
            String gold = problem.path("answer").asText();
            scored.correct.add(estimate.answer().filter(answer -> numeric.equivalent(answer, gold)).isPresent());
            scored.signals.add(row);
            progress.update(i + 1, selected.size());
        }
        scored.budgetSpent |= shouldStop.getAsBoolean();
        return scored;
    }

    /** The sampling options the live chains were drawn with that differ from reasoning confidence's defaults. */
    private String sampledAs() {
        String options = sampling.temperature == SamplingOptions.DEFAULT_TEMPERATURE ? ""
                : " --temperature " + sampling.temperature;
        return sampling.maxTokens == null ? options : options + " --max-tokens " + sampling.maxTokens;
    }

    private BenchReport report(Scored scored) throws IOException {
        int n = scored.correct.size();
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = scored.correct.get(i);
        }
        BenchReport report = new BenchReport()
                .put("problems", n)
                .put("problems_without_samples", scored.withoutSamples)
                .put("truncated_samples", scored.truncatedSamples)
                .put("stop_reason", scored.budgetSpent ? "budget_exhausted" : "completed")
                .put("samples_per_problem", samples);
        sampling.report(report).put("seed", seed)
                .put("model_calls", scored.usage.modelCalls())
                .put("wall_seconds", (System.nanoTime() - scored.started) / 1e9);
        if (n < 4) {
            // Cross-fitting splits the problems in halves and quarters.
            if (calibratorOut != null) {
                report.put("calibrator_out", new BenchReport().put("skipped", "fewer than 4 problems with samples: "
                        + "no calibrator written to " + calibratorOut));
            }
            return report.put("skipped", "fewer than 4 problems with samples: nothing to evaluate");
        }
        Map<String, LabelledScores> scores = new LinkedHashMap<>();
        String combinerSkipped = null;
        scores.put("consistency", LabelledScores.of(doubles(scored.agreement), correct));
        if (calibratorOut != null) {
            // The agreement of K chains at this temperature: what reasoning confidence computes by default.
            FittedCalibrator calibrator = BenchConfidenceCommand.chosenCalibrator(scores.get("consistency"));
            AtomicFiles.write(calibratorOut, calibrator.toJson().getBytes(StandardCharsets.UTF_8));
            report.put("calibrator_out", new BenchReport().put("file", calibratorOut.toString())
                    .put("score", "consistency").put("type", calibrator.name()).put("fitted_on_problems", n)
                    // The sampling and model options too: without the model's, the line ran the embedded tiny
                    // reasoner under a calibrator fitted on the user's model.
                    .put("use", "reasoning confidence --method consistency --samples " + samples + sampledAs()
                            + endpoint.modelOptions() + " --calibrator " + calibratorOut));
        }
        if (scored.withTokenProbabilities) {
            scores.put("mean_token_probability", LabelledScores.of(doubles(scored.tokenProbability), correct));
        }
        LabelledScores pSure = scored.withTokenProbabilities ? available(scored.pSure, correct) : null;
        if (pSure != null && pSure.size() >= 4) {
            scores.put("p_sure", pSure);
        }
        scores.put("entropy", LabelledScores.of(doubles(scored.certainty), correct));
        if (scored.withTokenProbabilities) {
            String oneClassHalf = oneClassHalf(correct);
            if (oneClassHalf == null) {
                scores.put("combiner", LabelledScores.of(outOfFoldCombiner(scored.signals, correct), correct));
            } else {
                combinerSkipped = oneClassHalf;
            }
        }
        String best = null;
        // NaN until a score has an AUROC: with every answer right (or every one wrong) none has, and the best of
        // none is undefined, not the -Infinity a search from it would report.
        double bestAuroc = Double.NaN;
        for (var entry : scores.entrySet()) {
            BenchReport figures = new BenchReport();
            BenchConfidenceCommand.evaluate(entry.getValue(), figures);
            report.put(entry.getKey(), figures);
            double auroc = (double) figures.figures().get("auroc");
            if (auroc > bestAuroc || Double.isNaN(bestAuroc) && !Double.isNaN(auroc)) {
                bestAuroc = auroc;
                best = entry.getKey();
            }
        }
        if (best == null) {
            int right = (int) java.util.stream.IntStream.range(0, n).filter(i -> correct[i]).count();
            report.put("best_auroc_undefined", "AUROC needs right and wrong answers; the majority answer was "
                    + (right == n ? "right" : "wrong") + " on all " + n + " problems");
        }
        if (combinerSkipped != null) {
            report.put("combiner", new BenchReport().put("skipped", combinerSkipped));
        }
        if (scored.logProbsUnavailable != null) {
            BenchReport skipped = BenchAggregateCommand.skippedWithoutLogProbs(scored.logProbsUnavailable);
            report.put("mean_token_probability", skipped).put("p_sure", skipped).put("combiner", skipped);
        } else if (scored.withTokenProbabilities) {
            int read = pSure == null ? 0 : pSure.size();
            if (read < 4) {
                report.put("p_sure", new BenchReport().put("skipped", "P(sure) was read on " + read
                        + " problems, fewer than 4"));
            }
            report.put("p_sure_unavailable", n - read);
        }
        return report.put("entropy_score", "1 - entropy / ln K of the answer distribution")
                .put("combiner_signals", COMBINED)
                .put("best_auroc_score", best)
                .put("best_auroc", bestAuroc)
                .put("target_best_auroc_0_80_met", bestAuroc >= 0.80);
    }

    /** The problems whose P(sure) could be read, with their labels; null when there are none. */
    private static LabelledScores available(List<Double> pSure, boolean[] correct) {
        List<Double> values = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        for (int i = 0; i < pSure.size(); i++) {
            if (!pSure.get(i).isNaN()) {
                values.add(pSure.get(i));
                labels.add(correct[i]);
            }
        }
        boolean[] kept = new boolean[labels.size()];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = labels.get(i);
        }
        return values.isEmpty() ? null : LabelledScores.of(doubles(values), kept);
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Why the combiner cannot be cross-fitted on these labels: a half whose answers are all right (or all wrong), on
     * which no weights can be fitted; null when both halves hold both.
     */
    private static String oneClassHalf(boolean[] correct) {
        int half = correct.length / 2;
        String[] names = {"first", "second"};
        for (int fold = 0; fold < 2; fold++) {
            boolean[] labels = java.util.Arrays.copyOfRange(correct, fold == 0 ? 0 : half,
                    fold == 0 ? half : correct.length);
            int right = 0;
            for (boolean label : labels) {
                right += label ? 1 : 0;
            }
            if (right == 0 || right == labels.length) {
                return "its weights are fitted on one half and applied to the other, and the " + names[fold]
                        + " half's " + labels.length + " answers were all " + (right == 0 ? "wrong" : "right");
            }
        }
        return null;
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

    private static List<Selected> select(Path problems, int limit) throws IOException {
        List<JsonNode> all = JsonlRows.distinctProblems(problems);
        if (all.size() < 2) {
            throw new IllegalArgumentException(problems + " holds fewer than 2 problems");
        }
        List<Selected> selected = new ArrayList<>(JsonlRows.evenlySpacedRows(all.size(), limit).stream()
                .map(row -> new Selected(all.get(row), row)).toList());
        Collections.shuffle(selected, new Random(42));
        return selected;
    }

    /**
     * A selected problem and its 0-based row among the file's problems, from which its seeds are taken.
     *
     * @param problem the problem's row
     * @param row     its position in the file, blank lines aside
     */
    private record Selected(JsonNode problem, int row) {
    }
}
