package dev.reasoningsdk.api.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.api.Usage;
import java.util.List;

/**
 * Scores reasoning chains: the judge of Aggregation of Reasoning's local and global phases.
 *
 * <p>Built-ins: an LLM judge with AoR's rubrics, a white-box likelihood scorer on a local model, and an arithmetic
 * process verifier. Scores are on a 0-10 scale so that AoR's thresholds (keep chains scoring at least 6) and margins
 * (2 points) mean the same for every scorer. Implementations are thread-safe.
 */
public interface ChainScorer {

    /**
     * Scores chains that share one answer (AoR's local phase).
     *
     * @param question   the question
     * @param chains     the chains to score
     * @param references already-scored chains of the same group shown to the judge for reference (AoR's dynamic
     *                   phase shows the group's best and worst); may be empty
     * @return one score per chain, in order; a chain the judge failed to score gets an empty score and is counted
     */
    Scores scoreLocally(String question, List<ReasoningChain> chains, List<ScoredChain> references);

    /**
     * Compares one representative chain per answer group (AoR's global phase).
     *
     * @return one score per representative, in order
     */
    Scores scoreGlobally(String question, List<ReasoningChain> representatives);

    /** A short stable name, e.g. {@code "llm-judge"}, {@code "likelihood"} or {@code "verifier"}. */
    String name();

    /**
     * This scorer, scoring any chain as one of {@code questionChains}, every chain of the question so far (a chain
     * not among them is added). AoR's local phase and the scored vote hand a scorer one answer group at a time, so
     * they first bind it this way; a scorer whose score of a chain depends on the question's other chains (the
     * learned verifier's agreement features) returns itself bound to them. The default returns this scorer: its
     * scores do not depend on the other chains. A decorator forwards the call and wraps what its delegate returns,
     * or the delegate loses the other chains.
     *
     * @param questionChains every chain of the question so far
     * @return the scorer to score this question's chains with
     */
    default ChainScorer amongChains(List<ReasoningChain> questionChains) {
        return this;
    }

    /**
     * Scores in the order of the chains given, with the cost of producing them.
     *
     * @param scores   one entry per chain: a score in [0, 10], or {@code Double.NaN} when that chain could not be
     *                 scored (a judge reply with no parseable score for it)
     * @param failures how many chains could not be scored
     * @param usage    judge calls, tokens and time spent
     */
    record Scores(List<Double> scores, int failures, Usage usage) {
        /** @throws IllegalArgumentException if a score lies outside [0, 10] */
        public Scores {
            scores = List.copyOf(scores);
            for (double s : scores) {
                if (!Double.isNaN(s) && (s < 0 || s > 10)) {
                    throw new IllegalArgumentException("score outside [0, 10]: " + s);
                }
            }
            if (failures < 0) {
                throw new IllegalArgumentException("failures < 0");
            }
            java.util.Objects.requireNonNull(usage, "usage");
        }
    }
}
