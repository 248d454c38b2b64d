package dev.reasoningsdk.examples.cli;

import dev.reasoningsdk.api.confidence.ConfidenceEstimate;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.confidence.IsotonicCalibrator;
import dev.reasoningsdk.impl.confidence.LabelledScores;
import dev.reasoningsdk.impl.confidence.RefusalPolicy;
import dev.reasoningsdk.impl.confidence.SamplingConsistency;
import dev.reasoningsdk.impl.llm.AnswerExtractors;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Confidence on real GSM8K chains: fits an isotonic calibrator and a 90%-accuracy refusal threshold on the first
 * 500 questions, then shows, for a question where the four models agree and one where they do not, the confidence,
 * the rationale and whether the answer is given or refused.
 */
final class ConfidenceDemo implements DemoSection {

    private static final int FIT_QUESTIONS = 500;

    @Override
    public String title() {
        return "Confidence, rationale and refusal (GSM8K, four real model solutions per question)";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        Path file = SharedData.find(ModelSolutions.DEFAULT_FILE).orElse(null);
        if (file == null) {
            out.println("(skipped: " + ModelSolutions.DEFAULT_FILE + " is neither in the project's data folder nor in"
                    + " shared/ above " + System.getProperty("user.dir") + ")");
            return;
        }
        List<ModelSolutions> rows = ModelSolutions.read(file, FIT_QUESTIONS + 100);
        AnswerExtractor numeric = AnswerExtractors.numeric();
        SamplingConsistency consistency = SamplingConsistency.of(numeric);
        double[] scores = new double[FIT_QUESTIONS];
        boolean[] correct = new boolean[FIT_QUESTIONS];
        for (int i = 0; i < FIT_QUESTIONS; i++) {
            ModelSolutions row = rows.get(i);
            ConfidenceEstimate estimate = consistency.estimate(row.question(), row.chains());
            scores[i] = estimate.confidence();
            correct[i] = estimate.answer().filter(answer -> numeric.equivalent(answer, row.gold())).isPresent();
        }
        LabelledScores fitData = LabelledScores.of(scores, correct);
        IsotonicCalibrator calibrator = IsotonicCalibrator.fit(fitData);
        RefusalPolicy.ThresholdChoice choice = RefusalPolicy.thresholdForAccuracy(
                fitData.mapScores(calibrator::calibrate), 0.9);
        RefusalPolicy policy = RefusalPolicy.atThreshold(choice.threshold());
        out.printf(Locale.ROOT, "Fitted on %d questions: calibrator %s%n", FIT_QUESTIONS, calibrator.toJson());
        out.printf(Locale.ROOT, "Refusal threshold for 90%% accuracy: %.3f (keeps %.0f%% of those questions)%n",
                choice.threshold(), 100 * choice.coverage());
        boolean shownAgreeing = false;
        boolean shownSplit = false;
        for (ModelSolutions row : rows.subList(FIT_QUESTIONS, rows.size())) {
            ConfidenceEstimate estimate = consistency.estimate(row.question(), row.chains());
            boolean agreeing = estimate.confidence() == 1.0;
            boolean split = estimate.confidence() <= 0.5 && estimate.answer().isPresent();
            if ((agreeing && !shownAgreeing) || (split && !shownSplit)) {
                shownAgreeing |= agreeing;
                shownSplit |= split;
                ConfidenceEstimate calibrated = estimate.withConfidence(calibrator.calibrate(estimate.confidence()));
                RefusalPolicy.Decision decision = policy.decide(calibrated,
                        "The answer is " + estimate.answer().orElse("?") + ".");
                out.println();
                out.println("Q: " + row.question());
                out.printf(Locale.ROOT, "raw confidence %.2f, calibrated %.2f (gold answer %s)%n",
                        estimate.confidence(), calibrated.confidence(), row.gold());
                out.println("rationale: " + estimate.rationale());
                out.println((decision.refused() ? "REFUSED: " : "ANSWERED: ") + decision.text());
            }
            if (shownAgreeing && shownSplit) {
                break;
            }
        }
    }
}
