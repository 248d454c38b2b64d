package dev.reasoningsdk.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReasoningChainTest {

    @Test
    void toStringCountsTheTokenLogProbsInsteadOfListingThem() {
        TokenLogProb token = new TokenLogProb(" 4", -0.25,
                List.of(new TokenLogProb.Alternative(" 4", -0.25), new TokenLogProb.Alternative(" 5", -1.5)));
        ReasoningChain chain = new ReasoningChain("2 + 2 = 4", "m", 1.0, List.of(token, token, token));

        assertThat(chain.toString())
                .isEqualTo("ReasoningChain[text=2 + 2 = 4, source=m, weight=1.0, tokenLogProbs=3 tokens]");
        assertThat(ReasoningChain.of("x").toString()).endsWith("tokenLogProbs=0 tokens]");
    }
}
