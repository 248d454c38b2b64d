package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.impl.internal.RankMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Metrics that judge confidence scores against correctness labels.
 *
 * <ul>
 *   <li>{@link #expectedCalibrationError}: binned ECE with equal-width bins (Guo et al., 2017; Naeini et al., 2015).
 *       Convention: {@code B} bins {@code [0, 1/B), [1/B, 2/B), ..., [(B-1)/B, 1]}: the last bin is closed so a
 *       score of exactly 1 falls in it; a score {@code p} goes to bin {@code min(floor(p * B), B - 1)}. ECE is
 *       {@code sum_b (n_b / N) |accuracy_b - mean confidence_b|} over non-empty bins. 10 and 20 bins are the
 *       usual choices ({@link #ece10}, {@link #ece20}).</li>
 *   <li>{@link #brierScore}: mean squared difference between the score and the 0/1 label.</li>
 *   <li>{@link #auroc}: the probability that a correct answer scores higher than a wrong one, ties counting one
 *       half (the Mann-Whitney statistic with midranks).</li>
 *   <li>{@link #averagePrecision}: area under the precision-recall step curve for "correct" as the positive class,
 *       one step per distinct score (tied scores enter together), as scikit-learn computes it.</li>
 *   <li>{@link #riskCoverageCurve} and {@link #selectiveAccuracy}: what happens when only the most confident
 *       answers are kept (El-Yaniv and Wiener, 2010).</li>
 * </ul>
 *
 * <p>Every method throws {@link IllegalArgumentException} for empty input (via {@link LabelledScores#of}). Scores
 * must lie in [0, 1] where a metric treats them as probabilities (ECE, Brier). AUROC and average precision are
 * undefined with a single class and return {@code NaN} then.
 */
public final class ConfidenceMetrics {

    private ConfidenceMetrics() {
    }

    /** ECE with 10 equal-width bins. */
    public static double ece10(LabelledScores data) {
        return expectedCalibrationError(data, 10);
    }

    /** ECE with 20 equal-width bins. */
    public static double ece20(LabelledScores data) {
        return expectedCalibrationError(data, 20);
    }

    /**
     * Binned expected calibration error with {@code bins} equal-width bins (see the class comment).
     *
     * @throws IllegalArgumentException if {@code bins < 1} or a score is outside [0, 1]
     */
    public static double expectedCalibrationError(LabelledScores data, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, was " + bins);
        }
        requireProbabilities(data);
        int[] count = new int[bins];
        double[] confidenceSum = new double[bins];
        int[] correctCount = new int[bins];
        for (int i = 0; i < data.size(); i++) {
            int bin = Math.min((int) Math.floor(data.score(i) * bins), bins - 1);
            count[bin]++;
            confidenceSum[bin] += data.score(i);
            if (data.isCorrect(i)) {
                correctCount[bin]++;
            }
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece += Math.abs((double) correctCount[b] / count[b] - confidenceSum[b] / count[b]) * count[b];
            }
        }
        return ece / data.size();
    }

    /**
     * Brier score: mean of {@code (score - label)^2}, label 1 for correct.
     *
     * @throws IllegalArgumentException if a score is outside [0, 1]
     */
    public static double brierScore(LabelledScores data) {
        requireProbabilities(data);
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            double error = data.score(i) - (data.isCorrect(i) ? 1 : 0);
            sum += error * error;
        }
        return sum / data.size();
    }

    /**
     * AUROC of the score for "correct", ties counting one half; {@code NaN} if all labels are equal (see
     * {@link RankMetrics#auroc}).
     */
    public static double auroc(LabelledScores data) {
        return RankMetrics.auroc(data.scores(), data.correct());
    }

    /** Average precision for "correct" as the positive class; {@code NaN} if no answer is correct. */
    public static double averagePrecision(LabelledScores data) {
        int positives = data.positives();
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double previousRecall = 0;
        int truePositives = 0;
        int taken = 0;
        for (Group group : groupsByDescendingScore(data)) {
            truePositives += group.correct;
            taken += group.size;
            double recall = (double) truePositives / positives;
            ap += (recall - previousRecall) * truePositives / taken;
            previousRecall = recall;
        }
        return ap;
    }

    /**
     * The risk-coverage curve: keeping every answer scored at or above each distinct score, from the highest
     * score down, the share kept (coverage) and the error rate among them (risk).
     */
    public static List<RiskCoveragePoint> riskCoverageCurve(LabelledScores data) {
        List<RiskCoveragePoint> curve = new ArrayList<>();
        int taken = 0;
        int correct = 0;
        for (Group group : groupsByDescendingScore(data)) {
            taken += group.size;
            correct += group.correct;
            curve.add(new RiskCoveragePoint(group.score, (double) taken / data.size(),
                    (double) (taken - correct) / taken));
        }
        return List.copyOf(curve);
    }

    /**
     * Accuracy on the {@code ceil(coverage * N)} most confident answers. When the cut falls inside a run of tied
     * scores, the tied answers are taken in expectation (as if ties were broken at random), so the result does not
     * depend on input order.
     *
     * @throws IllegalArgumentException if {@code coverage} is not in (0, 1]
     */
    public static double selectiveAccuracy(LabelledScores data, double coverage) {
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage must be in (0, 1], was " + coverage);
        }
        int wanted = Math.max(1, (int) Math.ceil(coverage * data.size() - 1e-9));
        double expectedCorrect = 0;
        int taken = 0;
        for (Group group : groupsByDescendingScore(data)) {
            int fromGroup = Math.min(group.size, wanted - taken);
            expectedCorrect += (double) group.correct * fromGroup / group.size;
            taken += fromGroup;
            if (taken == wanted) {
                break;
            }
        }
        return expectedCorrect / wanted;
    }

    /** Plain accuracy: the share of correct answers. */
    public static double accuracy(LabelledScores data) {
        return (double) data.positives() / data.size();
    }

    /**
     * One point of a risk-coverage curve.
     *
     * @param threshold answers scored at or above it are kept
     * @param coverage  the share of answers kept, in (0, 1]
     * @param risk      the error rate among the kept answers, in [0, 1]
     */
    public record RiskCoveragePoint(double threshold, double coverage, double risk) {
    }

    private record Group(double score, int size, int correct) {
    }

    private static List<Group> groupsByDescendingScore(LabelledScores data) {
        int[] order = data.indicesByDescendingScore();
        List<Group> groups = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            double score = data.score(order[start]);
            int end = start;
            int correct = 0;
            while (end < order.length && data.score(order[end]) == score) {
                if (data.isCorrect(order[end])) {
                    correct++;
                }
                end++;
            }
            groups.add(new Group(score, end - start, correct));
            start = end;
        }
        return groups;
    }

    private static void requireProbabilities(LabelledScores data) {
        for (int i = 0; i < data.size(); i++) {
            double score = data.score(i);
            if (score < 0 || score > 1) {
                throw new IllegalArgumentException("score " + i + " is outside [0, 1]: " + score);
            }
        }
    }
}
