package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.confidence.ConfidenceMetrics;
import dev.reasoningsdk.impl.confidence.CrossFitting;
import dev.reasoningsdk.impl.confidence.FittedCalibrator;
import dev.reasoningsdk.impl.confidence.IsotonicCalibrator;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.confidence.PlattCalibrator;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.confidence.TemperatureScaling;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import dev.reasoningsdk.impl.onnx.hf.HuggingFaceOnnxModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reasoning bench confidence}: how well confidence predicts correctness, before and after calibration, and
 * what refusal buys.
 *
 * <p>Offline, on real chains ({@code --data}, GSM8K with four model solutions per question): the confidence of the
 * majority answer is the share of the four chains that reach it. Reported: AUROC, average precision, ECE (10 and
 * 20 equal-width bins) and Brier raw and calibrated, the calibrator chosen and fitted on one half of the
 * questions and measured on the other, both ways (the headline {@code ece_calibrated}: isotonic, Platt or
 * temperature, whichever has the lowest Brier score cross-fitted inside the fit half; each of the three is also
 * listed on its own), selective accuracy at 80% coverage, and the refusal threshold chosen for 90% accuracy on one half
 * with the accuracy and coverage it gives on the other.
 *
 * <p>With {@code --live}, {@link LiveConfidenceBench}; {@code --calibrator-out FILE} also writes the calibrator of its
 * consistency score, chosen by {@link #chosenCalibrator}, for {@code reasoning confidence --calibrator FILE}.
 */
@Command(name = "confidence", mixinStandardHelpOptions = true,
        description = "Confidence estimation: AUROC, ECE raw and calibrated (cross-fitted), refusal.")
public final class BenchConfidenceCommand implements Callable<Integer> {

    @Mixin
    private ModelOptions modelOptions;

    @Mixin
    private CacheOption cache;

    static final double TARGET_ACCURACY = 0.9;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--data", description = "GSM8K model solutions (JSONL). Default: "
            + ModelSolutions.DEFAULT_FILE + " in the project's data folder (or ../shared).")
    Path data;

    @Option(names = "--max-data-questions", paramLabel = "N", description = "Use at most this many GSM8K questions "
            + "of --data, the first ones (default: all).")
    int maxDataQuestions = Integer.MAX_VALUE;

    /** {@code --max-data-questions}' deprecated name ({@link DeprecatedOption}). */
    @Option(names = "--data-limit", hidden = true,
            description = DeprecatedOption.PREFIX + "--max-data-questions", paramLabel = "N")
    void dataLimit(int questions) {
        maxDataQuestions = questions;
    }

    @Option(names = "--max-problems", paramLabel = "N", description = "Tiny-reasoner problems with --live, spread "
            + "evenly over the file. Default: ${DEFAULT-VALUE}")
    int maxProblems = 60;

    /** {@code --max-problems}' deprecated name ({@link DeprecatedOption}). */
    @Option(names = "--limit", hidden = true,
            description = DeprecatedOption.PREFIX + "--max-problems", paramLabel = "N")
    void limit(int problems) {
        maxProblems = problems;
    }

    @Option(names = "--live",
            description = "Also sample the model (--provider; default the embedded tiny reasoner): --max-problems "
                    + "problems, K chains.")
    boolean live;

    @Option(names = "--problems", description = "Tiny-reasoner eval problems (JSONL). Default: "
            + BenchReasonerCommand.EVAL_FILE + " in the project's data folder (or ../shared).")
    Path problems;

    @Option(names = "--samples", description = "K, chains per problem in --live. Default: ${DEFAULT-VALUE}")
    int samples = 10;

    /** {@code --temperature} and {@code --max-tokens} of the live samples. */
    @Mixin
    SamplingOptions sampling;

    @Option(names = "--seed", description = "First seed of --live: the problem on 0-based row r of the file samples "
            + "from seed + r * K. Default: ${DEFAULT-VALUE}, which the shipped figures were measured with.")
    long seed;

    @Option(names = "--calibrator-out", paramLabel = "FILE", description = "With --live: write the calibrator of "
            + "the live consistency score (the one with the lowest cross-fitted Brier score, fitted on every live "
            + "problem) as JSON, for reasoning confidence --calibrator FILE with the same --samples.")
    Path calibratorOut;

    @Spec
    private CommandSpec spec;

    /** The options only the live bench reads: given without {@code --live}, they would be silently ignored. */
    private static final List<String> LIVE_OPTIONS = List.of("--max-problems", "--limit", "--problems", "--samples",
            "--seed", "--temperature", "--max-tokens", "--calibrator-out");

    @Override
    public Integer call() throws Exception {
        DeprecatedOption.refuseBoth(spec, "--data-limit", "--max-data-questions");
        DeprecatedOption.refuseBoth(spec, "--limit", "--max-problems");
        ModelOptions.requireLiveFor(spec, live, LIVE_OPTIONS);
        if (maxDataQuestions < 4 || maxProblems < 4) {
            throw new IllegalArgumentException("--max-data-questions and --max-problems must be >= 4 (the data is "
                    + "split in halves and quarters), were " + maxDataQuestions + " and " + maxProblems);
        }
        if (samples < 2) {
            throw new IllegalArgumentException("--samples must be >= 2, was " + samples);
        }
        sampling.check();
        ModelEndpoint endpoint = modelOptions.endpoint();
        ModelOptions.requireLive(endpoint, live);
        cache.requireRemote(endpoint);
        RemoteModel.requireReachable(endpoint, cache);
        // The live problems are read first: a bad file is refused before the offline bench runs.
        Path liveProblems = !live ? null : problems != null ? problems
                : SharedData.require(BenchReasonerCommand.EVAL_FILE, "--problems");
        if (calibratorOut != null) {
            OutFolder.file("--calibrator-out", calibratorOut, liveProblems, data, endpoint.folder());
        }
        LiveConfidenceBench liveBench = !live ? null : new LiveConfidenceBench(liveProblems, maxProblems, samples,
                seed, sampling, endpoint, cache, calibratorOut);
        BenchReport report = new BenchReport();
        // The folder is loaded before the offline bench, so a folder its loader refuses, or a problem its model
        // cannot read, exits 2 at once.
        try (HuggingFaceOnnxModel folder = endpoint.isFolder() ? endpoint.folderLoader().build() : null) {
            if (folder != null) {
                liveBench.requireReadable(folder);
                sampling.requireFits(folder);
            }
            report.put("real_chains", realChains());
            if (liveBench != null) {
                try (CacheOption closing = cache) {
                    report.put(endpoint.isServed() ? "live" : "live_tiny_reasoner",
                            liveBench.run(folder));
                    cache.report(report);
                }
            }
        }
        report.print(System.out, json);
        return 0;
    }

    private BenchReport realChains() throws Exception {
        Path file = data != null ? data : SharedData.require(ModelSolutions.DEFAULT_FILE, "--data");
        List<ModelSolutions> rows = ModelSolutions.read(file, maxDataQuestions);
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SamplingConsistency consistency = SamplingConsistency.of(numeric);
        Progress progress = new Progress("bench confidence");
        double[] scores = new double[rows.size()];
        boolean[] correct = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            ModelSolutions row = rows.get(i);
            ConfidenceEstimate estimate = consistency.estimate(row.question(), row.chains());
            scores[i] = estimate.confidence();
            correct[i] = estimate.answer().filter(answer -> numeric.equivalent(answer, row.gold())).isPresent();
            progress.update(i + 1, rows.size());
        }
        BenchReport report = new BenchReport()
                .put("data", file.toString())
                .put("questions", rows.size())
                .put("chains_per_question", ModelSolutions.SOURCES.size())
                .put("score", "consistency: share of the 4 chains that reach the majority answer");
        LabelledScores labelled = LabelledScores.of(scores, correct);
        evaluate(labelled, report);
        return report;
    }

    /** The calibrators the bench chooses among, by name, in order of preference. */
    private static Map<String, Function<LabelledScores, ? extends FittedCalibrator>> calibrators() {
        Map<String, Function<LabelledScores, ? extends FittedCalibrator>> calibrators = new LinkedHashMap<>();
        calibrators.put("isotonic", IsotonicCalibrator::fit);
        calibrators.put("platt", PlattCalibrator::fit);
        calibrators.put("temperature", TemperatureScaling::fit);
        return calibrators;
    }

    /**
     * The calibrator to ship for {@code raw}: the one of {@link #calibrators()} whose cross-fitted Brier score on
     * {@code raw} is lowest (the rule by which the bench's figures choose inside each half; the earlier on a tie),
     * fitted on all of it.
     *
     * @throws IllegalArgumentException if there are fewer than two labelled scores
     */
    static FittedCalibrator chosenCalibrator(LabelledScores raw) {
        Function<LabelledScores, ? extends FittedCalibrator> best = null;
        double bestBrier = Double.POSITIVE_INFINITY;
        for (Function<LabelledScores, ? extends FittedCalibrator> fit : calibrators().values()) {
            double brier = ConfidenceMetrics.brierScore(CrossFitting.calibrateOutOfFold(raw, fit));
            if (best == null || brier < bestBrier) {
                best = fit;
                bestBrier = brier;
            }
        }
        return best.apply(raw);
    }

    /** Adds the discrimination, calibration and refusal figures of one score to {@code report}. */
    static void evaluate(LabelledScores raw, BenchReport report) {
        report.put("majority_accuracy", ConfidenceMetrics.accuracy(raw))
                .put("auroc", ConfidenceMetrics.auroc(raw))
                .put("average_precision", ConfidenceMetrics.averagePrecision(raw))
                .put("ece_raw", ConfidenceMetrics.ece10(raw))
                .put("ece20_raw", ConfidenceMetrics.ece20(raw))
                .put("brier_raw", ConfidenceMetrics.brierScore(raw));
        Map<String, Function<LabelledScores, ? extends dev.reasoningsdk.api.confidence.Calibrator>> calibrators =
                new LinkedHashMap<>(calibrators());
        BenchReport byCalibrator = new BenchReport();
        CrossFitting.Selection selection = CrossFitting.calibrateOutOfFoldSelecting(raw, calibrators);
        LabelledScores headline = selection.calibrated();
        for (var entry : calibrators.entrySet()) {
            LabelledScores calibrated = CrossFitting.calibrateOutOfFold(raw, entry.getValue());
            byCalibrator.put(entry.getKey(), new BenchReport()
                    .put("ece", ConfidenceMetrics.ece10(calibrated))
                    .put("ece20", ConfidenceMetrics.ece20(calibrated))
                    .put("brier", ConfidenceMetrics.brierScore(calibrated)));
        }
        report.put("ece_calibrated", ConfidenceMetrics.ece10(headline))
                .put("ece20_calibrated", ConfidenceMetrics.ece20(headline))
                .put("brier", ConfidenceMetrics.brierScore(headline))
                .put("calibration", "cross-fitted: chosen and fitted on one half, measured on the other, both ways; "
                        + "the calibrator is chosen inside the fit half by its cross-fitted Brier score; ECE with 10 "
                        + "equal-width bins")
                .put("calibrator_chosen_on_first_half", selection.chosenOnFirstHalf())
                .put("calibrator_chosen_on_second_half", selection.chosenOnSecondHalf())
                .put("calibrated_by", byCalibrator)
                .put("selective_accuracy_at_80_coverage", ConfidenceMetrics.selectiveAccuracy(raw, 0.8));
        List<Map<String, Object>> transfers = new ArrayList<>();
        String[] halves = {"first_half", "second_half"};
        List<CrossFitting.ThresholdTransfer> refusal = CrossFitting.refusalOutOfFold(raw, TARGET_ACCURACY);
        for (int i = 0; i < refusal.size(); i++) {
            CrossFitting.ThresholdTransfer transfer = refusal.get(i);
            transfers.add(new BenchReport()
                    .put("threshold_chosen_on", halves[i])
                    .put("threshold", transfer.chosen().threshold())
                    .put("target_reached_on_fit_half", transfer.chosen().reached())
                    .put("fit_half_accuracy", transfer.chosen().accuracy())
                    .put("fit_half_coverage", transfer.chosen().coverage())
                    .put("held_out_accuracy", transfer.heldOutAccuracy())
                    .put("held_out_coverage", transfer.heldOutCoverage()).figures());
        }
        report.put("refusal_target_accuracy", TARGET_ACCURACY).put("refusal", transfers);
    }
}
