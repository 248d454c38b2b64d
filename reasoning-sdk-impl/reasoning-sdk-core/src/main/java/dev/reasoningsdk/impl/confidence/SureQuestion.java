package dev.reasoningsdk.impl.confidence;

import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.internal.LogisticRegression;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * R-Tuning's P(sure), one definition for a local and a served model: at the first token position where the
 * continuations {@value #SURE} and {@value #UNSURE} differ, {@code p(sure) / (p(sure) + p(unsure))} of the tokens
 * that begin each. Before that position both continuations share their tokens (for a character-level model, the
 * space), which says nothing about sureness; after it, the answer is already given.
 *
 * <p>A local model scores both continuations ({@link #fromContinuations}): the shared tokens get the same
 * log-probabilities, so the first position where the two lists differ is the first differing token, whatever the
 * tokenizer. A served model is asked the question followed by the continuations' common prefix ({@link #SHARED},
 * the space), so that, like the local model, it is read after that prefix whatever it would have written there
 * itself, and answers greedily with its top log-probabilities ({@link #fromReply(List, int)}): its tokens are walked
 * while they spell what is left of the common prefix, and at the first position where the continuations differ the
 * probability mass of the listed tokens that begin only {@value #SURE} is weighed against those that begin only
 * {@value #UNSURE}. A token that repeats white space the question already ended with (a subword {@code " sure"}
 * after {@code "I am "}) is read without it. Not API.
 */
final class SureQuestion {

    static final String SURE = " sure";
    static final String UNSURE = " unsure";
    /** What {@value #SURE} and {@value #UNSURE} begin with: a space. */
    static final String SHARED = commonPrefix(SURE, UNSURE);

    private SureQuestion() {
    }

    /**
     * P(sure), or why there is none.
     *
     * @param pSure              the probability, empty when it could not be read
     * @param reason             why it could not be read; {@code ""} when it was
     * @param topLogProbsMissing whether it could not be read because the position where the continuations differ
     *                           lists no top log-probabilities (the server was not asked for, or ignored,
     *                           {@code top_logprobs}): a refusal, not a missing value
     */
    record Outcome(Optional<Double> pSure, String reason, boolean topLogProbsMissing) {
        static Outcome of(double pSure) {
            return Double.isNaN(pSure) ? none("both continuations are impossible")
                    : new Outcome(Optional.of(pSure), "", false);
        }

        static Outcome none(String reason) {
            return new Outcome(Optional.empty(), reason, false);
        }
    }

    /**
     * From a local model's log-probabilities of {@value #SURE} and {@value #UNSURE} after the same context.
     * Positions are compared exactly: the shared tokens come out of the same prefix in both passes.
     */
    static Outcome fromContinuations(float[] sure, float[] unsure) {
        int position = 0;
        while (position < sure.length && position < unsure.length && sure[position] == unsure[position]) {
            position++;
        }
        if (position == sure.length || position == unsure.length) {
            return Outcome.none("the two continuations never differ");
        }
        return Outcome.of(LogisticRegression.sigmoid(sure[position] - unsure[position]));
    }

    /** From a served model's greedy reply to the R-Tuning question, with top log-probabilities. */
    static Outcome fromReply(List<TokenLogProb> tokens) {
        return fromReply(tokens, 0);
    }

    /**
     * From a served model's greedy reply to the R-Tuning question when the question already ended with the first
     * {@code asked} characters of the continuations' common prefix.
     */
    static Outcome fromReply(List<TokenLogProb> tokens, int asked) {
        String common = SHARED;
        int consumed = Math.min(asked, common.length());
        int position = 0;
        // Walk the greedy tokens while they spell the common prefix; stop at the first that goes past it.
        while (position < tokens.size() && consumed < common.length()) {
            String token = tokens.get(position).token();
            if (token.isEmpty() || !common.startsWith(token, consumed)) {
                break;
            }
            consumed += token.length();
            position++;
        }
        if (position == tokens.size()) {
            return Outcome.none("the reply ended before \"sure\" and \"unsure\" differ");
        }
        TokenLogProb at = tokens.get(position);
        if (at.alternatives().isEmpty()) {
            return new Outcome(Optional.empty(), "no top log-probabilities where \"sure\" and \"unsure\" differ",
                    true);
        }
        String sureRest = SURE.substring(consumed);
        String unsureRest = UNSURE.substring(consumed);
        List<Double> sureLogProbs = new ArrayList<>();
        List<Double> unsureLogProbs = new ArrayList<>();
        // After a question that ended with white space, a token's own leading white space repeats it.
        boolean afterSpace = consumed > 0 && Character.isWhitespace(common.charAt(consumed - 1));
        for (Map.Entry<String, Double> candidate : candidates(at).entrySet()) {
            String token = afterSpace && !sureRest.isEmpty() && !Character.isWhitespace(sureRest.charAt(0))
                    ? candidate.getKey().stripLeading() : candidate.getKey();
            boolean sure = begins(sureRest, token);
            boolean unsure = begins(unsureRest, token);
            if (sure && !unsure) {
                sureLogProbs.add(candidate.getValue());
            } else if (unsure && !sure) {
                unsureLogProbs.add(candidate.getValue());
            }
        }
        if (sureLogProbs.isEmpty() || unsureLogProbs.isEmpty()) {
            return Outcome.none("\"" + (sureLogProbs.isEmpty() ? "sure" : "unsure") + "\" is not among the "
                    + at.alternatives().size() + " top log-probabilities where the two differ");
        }
        return Outcome.of(LogisticRegression.sigmoid(logSumExp(sureLogProbs) - logSumExp(unsureLogProbs)));
    }

    /** The listed tokens of a position, the chosen one included, each once. */
    private static Map<String, Double> candidates(TokenLogProb at) {
        Map<String, Double> candidates = new LinkedHashMap<>();
        candidates.put(at.token(), at.logProb());
        at.alternatives().forEach(alternative -> candidates.putIfAbsent(alternative.token(), alternative.logProb()));
        return candidates;
    }

    /** Whether {@code token} begins {@code rest} (or {@code rest} and more, as " sure." begins " sure"). */
    private static boolean begins(String rest, String token) {
        return !token.isEmpty() && (rest.startsWith(token) || token.startsWith(rest));
    }

    private static String commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }

    private static double logSumExp(List<Double> logProbs) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logProb : logProbs) {
            max = Math.max(max, logProb);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double logProb : logProbs) {
            sum += Math.exp(logProb - max);
        }
        return max + Math.log(sum);
    }
}
