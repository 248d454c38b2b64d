package dev.reasoningsdk.impl.aggregate;

import dev.reasoningsdk.impl.internal.QuestionDigests;
import java.util.List;
import java.util.Objects;

/**
 * Where a {@link HiddenStateStepReward}'s head came from: the problems it was trained on (and the rows it was
 * forbidden to read, a bench's selection), how its prefixes were labelled, every candidate's cross-validated figures
 * and the rule, fixed before any bench figure was read, that chose the one shipped.
 *
 * @param data             the problems file's name
 * @param dataSha256       SHA-256 of its bytes
 * @param problems         rows in the file
 * @param excludedRows     rows never read (0-based, ascending): the bench's selection
 * @param trainProblems    problems rolled out and trained on
 * @param seed             the seed of the rollouts ({@code seed + row}) and of the folds
 * @param chainsPerProblem chains sampled per problem
 * @param completions      completions sampled from each prefix for the Math-Shepherd labels
 * @param temperature      the sampling temperature of chains and completions
 * @param prefixes         step-end prefixes trained on (one row each)
 * @param labels           the labelling chosen: {@code outcome} or {@code shepherd}
 * @param layer            the hidden-state layer chosen
 * @param l2               the L2 penalty chosen
 * @param mapping          how the head's probability becomes a reward ({@link HiddenStateStepReward.Mapping})
 * @param combination      how it is combined with the arithmetic reward ({@link HiddenStateStepReward.Combination})
 * @param shippingRule     how the candidate was chosen, in words
 * @param crossValidation  every candidate's figures, in the order tried
 * @param baselines        the same figures for rankings without the head, on the same folds
 * @param trainingProblemDigests the digest of every problem trained on (its question), sorted and distinct: a bench
 *                         runs the head only on problems that are not among them, in any file; empty (or absent,
 *                         read as empty) in files written before they were recorded
 */
public record StepRewardProvenance(String data, String dataSha256, int problems, List<Integer> excludedRows,
                                   int trainProblems, long seed, int chainsPerProblem, int completions,
                                   double temperature, int prefixes, String labels, int layer, double l2,
                                   String mapping, String combination, String shippingRule,
                                   List<Candidate> crossValidation, List<Candidate> baselines,
                                   List<String> trainingProblemDigests) {

    /**
     * @throws NullPointerException     if a text or list is null
     * @throws IllegalArgumentException if the digests are not sorted and distinct, or more than the training problems
     */
    public StepRewardProvenance {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dataSha256, "dataSha256");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(combination, "combination");
        Objects.requireNonNull(shippingRule, "shippingRule");
        excludedRows = List.copyOf(excludedRows);
        crossValidation = List.copyOf(crossValidation);
        baselines = List.copyOf(baselines);
        trainingProblemDigests = QuestionDigests.requireSortedDistinct(trainingProblemDigests, trainProblems,
                "training problem digests");
    }

    /** Whether the training problems were recorded ({@link #trainingProblemDigests} not empty). */
    public boolean recordsTrainingProblems() {
        return !trainingProblemDigests.isEmpty();
    }

    /**
     * Whether the head was trained on the problem {@code question}: its words (case, white space and punctuation
     * aside) are a training problem's.
     *
     * @throws IllegalStateException if the training problems were not recorded
     */
    public boolean trainedOn(String question) {
        return QuestionDigests.trainedOn(trainingProblemDigests, question, "the head trained on " + data);
    }

    /**
     * One candidate's cross-validated figures on the training problems.
     *
     * @param name              the candidate, e.g. {@code shepherd/layer-1/l2=0.1/ratio/min}
     * @param accuracy          mean over folds of best-of-N accuracy: each problem's sampled chains ranked by the
     *                          step search's penalty (the sum of {@code 1 - reward} over a chain's steps)
     * @param accuracySd        its standard deviation over folds
     * @param rightStepPenalty  mean penalty per step on the chains that reached the gold answer: what the reward
     *                          costs a search that is on a right path (0 for a reward that never doubts a right step)
     * @param wrongChainPenalty mean penalty per step on the chains that did not
     */
    public record Candidate(String name, double accuracy, double accuracySd, double rightStepPenalty,
                            double wrongChainPenalty) {
        /** @throws NullPointerException if {@code name} is null */
        public Candidate {
            Objects.requireNonNull(name, "name");
        }
    }
}
