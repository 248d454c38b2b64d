package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.api.confidence.Calibrator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Honest evaluation of fitted things on one labelled set: split it into two halves (the first {@code N/2} pairs and
 * the rest, in input order), fit on one half and measure on the other, both ways. Calibrated scores are then
 * out-of-fold for every pair, so a calibrated ECE is never measured on the data the calibrator saw.
 */
public final class CrossFitting {

    private CrossFitting() {
    }

    /**
     * Every score calibrated by a calibrator fitted on the other half.
     *
     * @throws IllegalArgumentException if there are fewer than two pairs
     */
    public static LabelledScores calibrateOutOfFold(LabelledScores data,
                                                    Function<LabelledScores, ? extends Calibrator> fit) {
        Objects.requireNonNull(fit, "fit");
        int half = requireSplittable(data);
        LabelledScores first = data.slice(0, half);
        LabelledScores second = data.slice(half, data.size());
        Calibrator onFirst = fit.apply(first);
        Calibrator onSecond = fit.apply(second);
        double[] scores = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            scores[i] = (i < half ? onSecond : onFirst).calibrate(data.score(i));
        }
        return LabelledScores.of(scores, data.correct());
    }

    /**
     * Every score calibrated by a calibrator chosen and fitted on the other half. The choice among
     * {@code candidates} is itself made inside that half, never on the half it is measured on: each candidate is
     * cross-fitted within the half (its two quarters), the one with the lowest Brier score there wins (ties go to
     * the earlier candidate), and it is refitted on the whole half.
     *
     * @param candidates named calibrator fits, in order of preference
     * @throws IllegalArgumentException if there are fewer than four pairs or no candidates
     */
    public static Selection calibrateOutOfFoldSelecting(
            LabelledScores data, java.util.Map<String, Function<LabelledScores, ? extends Calibrator>> candidates) {
        Objects.requireNonNull(candidates, "candidates");
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate calibrators");
        }
        int half = requireSplittable(data);
        if (half < 2) {
            throw new IllegalArgumentException("selecting a calibrator needs at least 4 labelled scores, got "
                    + data.size());
        }
        List<LabelledScores> halves = List.of(data.slice(0, half), data.slice(half, data.size()));
        List<String> chosen = new ArrayList<>();
        List<Calibrator> fitted = new ArrayList<>();
        for (LabelledScores fitHalf : halves) {
            String best = null;
            double bestBrier = Double.POSITIVE_INFINITY;
            for (var candidate : candidates.entrySet()) {
                double brier = ConfidenceMetrics.brierScore(calibrateOutOfFold(fitHalf, candidate.getValue()));
                if (brier < bestBrier) {
                    bestBrier = brier;
                    best = candidate.getKey();
                }
            }
            chosen.add(best);
            fitted.add(candidates.get(best).apply(fitHalf));
        }
        double[] scores = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
            scores[i] = fitted.get(i < half ? 1 : 0).calibrate(data.score(i));
        }
        return new Selection(LabelledScores.of(scores, data.correct()), chosen.get(0), chosen.get(1));
    }

    /**
     * Out-of-fold calibrated scores and the calibrator chosen on each half.
     *
     * @param calibrated          every score calibrated by what was chosen and fitted on the other half
     * @param chosenOnFirstHalf   the candidate chosen (and fitted) on the first half, applied to the second
     * @param chosenOnSecondHalf  the candidate chosen (and fitted) on the second half, applied to the first
     */
    public record Selection(LabelledScores calibrated, String chosenOnFirstHalf, String chosenOnSecondHalf) {
    }

    /**
     * The refusal threshold chosen on each half for {@code targetAccuracy}, and what it gives on the other half.
     *
     * @return two transfers: fitted on the first half, then fitted on the second
     * @throws IllegalArgumentException if there are fewer than two pairs or the target is not in (0, 1]
     */
    public static List<ThresholdTransfer> refusalOutOfFold(LabelledScores data, double targetAccuracy) {
        int half = requireSplittable(data);
        List<LabelledScores> halves = List.of(data.slice(0, half), data.slice(half, data.size()));
        List<ThresholdTransfer> transfers = new ArrayList<>();
        for (int fitted = 0; fitted < 2; fitted++) {
            RefusalPolicy.ThresholdChoice choice = RefusalPolicy.thresholdForAccuracy(halves.get(fitted),
                    targetAccuracy);
            LabelledScores other = halves.get(1 - fitted);
            int kept = 0;
            int correct = 0;
            for (int i = 0; i < other.size(); i++) {
                if (other.score(i) >= choice.threshold()) {
                    kept++;
                    correct += other.isCorrect(i) ? 1 : 0;
                }
            }
            transfers.add(new ThresholdTransfer(choice, kept == 0 ? Double.NaN : (double) correct / kept,
                    (double) kept / other.size()));
        }
        return List.copyOf(transfers);
    }

    private static int requireSplittable(LabelledScores data) {
        Objects.requireNonNull(data, "data");
        if (data.size() < 2) {
            throw new IllegalArgumentException("cross-fitting needs at least 2 labelled scores, got " + data.size());
        }
        return data.size() / 2;
    }

    /**
     * A threshold chosen on one half and measured on the other.
     *
     * @param chosen           the threshold and what it achieved on the half it was chosen on
     * @param heldOutAccuracy  accuracy of the answers kept on the other half ({@code NaN} when none are)
     * @param heldOutCoverage  share of the other half's answers kept
     */
    public record ThresholdTransfer(RefusalPolicy.ThresholdChoice chosen, double heldOutAccuracy,
                                    double heldOutCoverage) {
    }
}
