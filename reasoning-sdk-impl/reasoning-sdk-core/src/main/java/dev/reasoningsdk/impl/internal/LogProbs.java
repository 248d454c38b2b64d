package dev.reasoningsdk.impl.internal;

import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.List;

/** Sums over token log-probabilities, as the white-box techniques read them from chains and samples. Not API. */
public final class LogProbs {

    private LogProbs() {
    }

    /** The mean of {@code tokens}' log-probabilities, or NaN when there are none. */
    public static double mean(List<TokenLogProb> tokens) {
        if (tokens.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (TokenLogProb token : tokens) {
            sum += token.logProb();
        }
        return sum / tokens.size();
    }
}
