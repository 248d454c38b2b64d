package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.QuestionDigests;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link LearnedVerifier} came from: the data, the split by question, the settings chosen by
 * cross-validation on the training questions (with the rule that chose them, fixed before the held-out figures were
 * computed), and the figures on the held-out questions it never saw.
 *
 * @param data               the data file's name
 * @param dataSha256         SHA-256 of its bytes
 * @param questions          questions read
 * @param trainQuestions     questions trained on (and cross-validated on)
 * @param heldOutQuestions   questions held out, never read before the held-out figures
 * @param seed               the seed of the shuffle that drew the held-out questions
 * @param heldOutFraction    the fraction of questions held out
 * @param heldOutRows        the held-out questions' row numbers (0-based, in file order)
 * @param features           the feature set chosen (groups of {@code chain}, {@code agreement}, {@code text},
 *                           {@code answers}, {@code embedding}, +-joined)
 * @param l2                 the L2 penalty chosen
 * @param shippingRule       how the settings were chosen, in words
 * @param crossValidation    every candidate's cross-validated figures, in the order tried
 * @param heldOut            the shipped verifier's figures on the held-out questions
 * @param trainingQuestionDigests the digest of every question trained on, sorted and distinct: a
 *                           bench scores a file's questions that are not among them, so a copy, subset or
 *                           reshuffle of the training file is never scored on what the verifier was trained on;
 *                           empty (or absent, read as empty) in files written before they were recorded
 * @param crossValidationByAgreement the chosen candidate's cross-validated figures split by how far each
 *                           question's chains agree ({@link #agreementClass}), most agreement first: where the verifier
 *                           gains on the best single source, and how much any choice among the chains could gain
 *                           (the oracle); empty (or absent, read as empty) in files written before it was recorded
 */
public record VerifierProvenance(String data, String dataSha256, int questions, int trainQuestions,
                                 int heldOutQuestions, long seed, double heldOutFraction, List<Integer> heldOutRows,
                                 String features, double l2, String shippingRule, List<Candidate> crossValidation,
                                 Figures heldOut, List<String> trainingQuestionDigests,
                                 Map<String, Figures> crossValidationByAgreement) {

    /**
     * @throws IllegalArgumentException if the question counts do not add up, or the digests are not sorted, distinct
     *                                  and at most one per training question
     */
    public VerifierProvenance {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dataSha256, "dataSha256");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(shippingRule, "shippingRule");
        Objects.requireNonNull(heldOut, "heldOut");
        heldOutRows = List.copyOf(heldOutRows);
        crossValidation = List.copyOf(crossValidation);
        crossValidationByAgreement = crossValidationByAgreement == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(crossValidationByAgreement));
        trainingQuestionDigests = QuestionDigests.requireSortedDistinct(trainingQuestionDigests, trainQuestions,
                "training question digests");
        if (trainQuestions < 0 || heldOutQuestions != heldOutRows.size()
                || trainQuestions + heldOutQuestions != questions) {
            throw new IllegalArgumentException("train (" + trainQuestions + ") + held-out (" + heldOutQuestions
                    + ", " + heldOutRows.size() + " rows listed) questions must equal questions (" + questions + ")");
        }
    }

    /**
     * How far a question's chains agree, as {@link #crossValidationByAgreement} names it: {@code all_agree} when
     * every chain's answer is equivalent, {@code all_differ} when no two answers are (or none was extracted), else
     * {@code largest_group_k} with {@code k} the size of the largest group of equivalent answers.
     *
     * @param largestGroup the size of the largest group of chains with equivalent answers (0 without answers)
     * @param chains       the question's chains
     * @throws IllegalArgumentException if the group is larger than the chains or negative
     */
    public static String agreementClass(int largestGroup, int chains) {
        if (largestGroup < 0 || largestGroup > chains) {
            throw new IllegalArgumentException("a group of " + largestGroup + " among " + chains + " chains");
        }
        return largestGroup <= 1 ? "all_differ" : largestGroup == chains ? "all_agree"
                : "largest_group_" + largestGroup;
    }

    /** Whether the training questions were recorded ({@link #trainingQuestionDigests} not empty). */
    public boolean recordsTrainingQuestions() {
        return !trainingQuestionDigests.isEmpty();
    }

    /**
     * Whether the verifier was trained on {@code question}: its words (case, white space and punctuation aside) are
     * a training question's.
     *
     * @throws IllegalStateException if the training questions were not recorded
     */
    public boolean trainedOn(String question) {
        return QuestionDigests.trainedOn(trainingQuestionDigests, question, "the verifier trained on " + data);
    }

    /**
     * One candidate setting's cross-validated figures on the training questions.
     *
     * @param features     the feature set
     * @param l2           the L2 penalty
     * @param accuracy     best-of-N accuracy (the answer of the highest-scoring chain), mean over repeats
     * @param accuracySd   its standard deviation over the folds of all repeats
     * @param weightedVoteAccuracy the accuracy of the vote weighted by the scores, mean over repeats
     * @param bestSingleSource     the best single source's accuracy on the same questions (the share of its chains
     *                             that are right: with several samples per question, one sample's accuracy)
     */
    public record Candidate(String features, double l2, double accuracy, double accuracySd,
                            double weightedVoteAccuracy, double bestSingleSource) {
        /** @throws NullPointerException if features is null */
        public Candidate {
            Objects.requireNonNull(features, "features");
        }
    }

    /**
     * Figures on a set of questions.
     *
     * @param questions            how many
     * @param accuracy             best-of-N accuracy: the answer of the highest-scoring chain
     * @param weightedVoteAccuracy the vote weighted by the scores
     * @param bestSingleSource     the best single source on the same questions: the share of its chains that are
     *                             right (with several samples per question, one sample's accuracy)
     * @param oracle               the share of questions some chain answered right
     */
    public record Figures(int questions, double accuracy, double weightedVoteAccuracy, double bestSingleSource,
                          double oracle) {
    }
}
