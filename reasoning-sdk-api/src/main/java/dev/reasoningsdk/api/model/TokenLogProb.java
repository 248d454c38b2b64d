package dev.reasoningsdk.api.model;

import java.util.List;
import java.util.Objects;

/**
 * One generated token with its natural-log probability and, where the model or server was asked for them, the most
 * likely tokens at the same position (OpenAI's {@code logprobs} / {@code top_logprobs}). White-box techniques read
 * these: the likelihood chain scorer, token-probability confidence and R-Tuning's P(sure).
 *
 * <p>Log-probabilities are those of the model's unmodified distribution (temperature 1) where the producer knows
 * them; a served model reports what its server reports.
 *
 * @param token        the token's text as the tokenizer decodes it on its own
 * @param logProb      its natural-log probability, {@code <= 0}
 * @param alternatives the most likely tokens at this position, most likely first (the chosen token may be among
 *                     them); empty when none were asked for or returned
 */
public record TokenLogProb(String token, double logProb, List<Alternative> alternatives) {

    /** @throws IllegalArgumentException if {@code logProb} is positive or NaN */
    public TokenLogProb {
        Objects.requireNonNull(token, "token");
        requireLogProb(logProb);
        alternatives = List.copyOf(alternatives);
    }

    /** A token without alternatives. */
    public static TokenLogProb of(String token, double logProb) {
        return new TokenLogProb(token, logProb, List.of());
    }

    /**
     * One alternative token at a position.
     *
     * @param token   its text
     * @param logProb its natural-log probability, {@code <= 0}
     */
    public record Alternative(String token, double logProb) {
        /** @throws IllegalArgumentException if {@code logProb} is positive or NaN */
        public Alternative {
            Objects.requireNonNull(token, "token");
            requireLogProb(logProb);
        }
    }

    private static void requireLogProb(double logProb) {
        // -Infinity is a legal log-probability (a token the server says is impossible); NaN and > 0 are not.
        if (!(logProb <= 0)) {
            throw new IllegalArgumentException("a log-probability must be <= 0, was " + logProb);
        }
    }
}
