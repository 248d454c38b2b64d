package dev.reasoningsdk.api.aggregate;

import dev.reasoningsdk.api.ReasoningChain;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A chain with its extracted answer and, when a judge scored it, its local score.
 *
 * @param index      the chain's position in the order chains were given or sampled (stable across groups)
 * @param chain      the chain itself
 * @param answer     the normalised answer extracted from it
 * @param localScore the judge's score for this chain (AoR's 0-10 rubric, a log-likelihood, a verifier's share of
 *                   correct steps), finite, or empty when it was not scored
 */
public record ScoredChain(int index, ReasoningChain chain, String answer, OptionalDouble localScore) {

    /** @throws IllegalArgumentException if the index is negative or the local score is NaN or infinite */
    public ScoredChain {
        if (index < 0) {
            throw new IllegalArgumentException("index < 0");
        }
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(localScore, "localScore");
        if (localScore.isPresent() && !Double.isFinite(localScore.getAsDouble())) {
            // An unscored chain is an empty score, never NaN.
            throw new IllegalArgumentException("localScore must be finite, was " + localScore.getAsDouble());
        }
    }
}
