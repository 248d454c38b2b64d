package dev.reasoningsdk.api.model;

import java.util.Objects;

/**
 * One generated continuation.
 *
 * @param text          the decoded continuation (without the end-of-sequence token)
 * @param tokenIds      the generated token ids (without the end-of-sequence token)
 * @param tokenLogProbs the log-probability of each generated token under the unmodified model distribution
 *                      (temperature 1), aligned with {@code tokenIds}
 * @param promptTokens  tokens in the prompt, special tokens included
 * @param finishReason  why generation stopped
 */
public record Generation(String text, int[] tokenIds, float[] tokenLogProbs, int promptTokens,
                         FinishReason finishReason) {

    /** @throws IllegalArgumentException if ids and log-probabilities differ in length */
    public Generation {
        Objects.requireNonNull(text, "text");
        tokenIds = tokenIds.clone();
        tokenLogProbs = tokenLogProbs.clone();
        if (tokenIds.length != tokenLogProbs.length) {
            throw new IllegalArgumentException("tokenIds and tokenLogProbs differ in length");
        }
        Objects.requireNonNull(finishReason, "finishReason");
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public float[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    /** Why generation stopped. */
    public enum FinishReason {
        /** The model emitted its end-of-sequence token. */
        END_OF_SEQUENCE,
        /** {@link GenerationOptions#maxNewTokens()} was reached. */
        MAX_NEW_TOKENS,
        /** The context length was reached. */
        CONTEXT_LENGTH
    }
}
