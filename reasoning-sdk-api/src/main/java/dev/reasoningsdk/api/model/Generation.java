package dev.reasoningsdk.api.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One generated continuation.
 *
 * @param text          the decoded continuation (without the end-of-sequence token)
 * @param tokenIds      the generated token ids (without the end-of-sequence token)
 * @param tokenLogProbs the log-probability of each generated token under the unmodified model distribution
 *                      (temperature 1), aligned with {@code tokenIds}; each {@code <= 0} ({@code -Infinity} for a
 *                      token the model gave no chance, as {@link TokenLogProb} allows)
 * @param promptTokens  tokens in the prompt, special tokens included; {@code >= 0}
 * @param finishReason  why generation stopped
 * @param tokens        the generated tokens with their text and log-probability (the same value as
 *                      {@code tokenLogProbs}) and, when {@link GenerationOptions#topLogProbs()} asked for them, the
 *                      most likely tokens at each position under the same distribution; aligned with
 *                      {@code tokenIds}, or empty when the model does not report token texts
 */
public record Generation(String text, int[] tokenIds, float[] tokenLogProbs, int promptTokens,
                         FinishReason finishReason, List<TokenLogProb> tokens) {

    /**
     * @throws IllegalArgumentException if ids and log-probabilities differ in length, a log-probability is
     *                                  positive or NaN, {@code tokens} is neither empty nor aligned with the ids, or
     *                                  {@code promptTokens} is negative
     */
    public Generation {
        Objects.requireNonNull(text, "text");
        tokenIds = Objects.requireNonNull(tokenIds, "tokenIds").clone();
        tokenLogProbs = Objects.requireNonNull(tokenLogProbs, "tokenLogProbs").clone();
        if (tokenIds.length != tokenLogProbs.length) {
            throw new IllegalArgumentException("tokenIds and tokenLogProbs differ in length");
        }
        for (int i = 0; i < tokenLogProbs.length; i++) {
            if (!(tokenLogProbs[i] <= 0)) {
                throw new IllegalArgumentException("tokenLogProbs[" + i + "] must be <= 0, was " + tokenLogProbs[i]);
            }
        }
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens must be >= 0, was " + promptTokens);
        }
        Objects.requireNonNull(finishReason, "finishReason");
        tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
        if (!tokens.isEmpty() && tokens.size() != tokenIds.length) {
            throw new IllegalArgumentException("tokens must be empty or one per token id: " + tokens.size()
                    + " for " + tokenIds.length + " ids");
        }
    }

    /**
     * A generation without token texts ({@link #tokens()} empty).
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public Generation(String text, int[] tokenIds, float[] tokenLogProbs, int promptTokens,
                      FinishReason finishReason) {
        this(text, tokenIds, tokenLogProbs, promptTokens, finishReason, List.of());
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public float[] tokenLogProbs() {
        return tokenLogProbs.clone();
    }

    /** Equal when every component is, the arrays compared by content (a record compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof Generation g && text.equals(g.text) && Arrays.equals(tokenIds, g.tokenIds)
                && Arrays.equals(tokenLogProbs, g.tokenLogProbs) && promptTokens == g.promptTokens
                && finishReason == g.finishReason && tokens.equals(g.tokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(tokenIds), Arrays.hashCode(tokenLogProbs), promptTokens,
                finishReason, tokens);
    }

    @Override
    public String toString() {
        return "Generation[text=" + text + ", tokenIds=" + Arrays.toString(tokenIds) + ", tokenLogProbs="
                + Arrays.toString(tokenLogProbs) + ", promptTokens=" + promptTokens + ", finishReason=" + finishReason
                + ", tokens=" + tokens + "]";
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
