package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.api.model.TokenLogProb.Alternative;
import java.util.List;
import org.junit.jupiter.api.Test;

/** R-Tuning's P(sure) read at the first token where " sure" and " unsure" differ, for any tokenizer. */
class SureQuestionTest {

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Test
    void aCharacterLevelReplyIsReadAtTheLetterAfterTheSharedSpace() {
        List<TokenLogProb> reply = List.of(new TokenLogProb(" ", -0.01, List.of(new Alternative(" ", -0.01))),
                new TokenLogProb("u", -0.4, List.of(new Alternative("u", -0.4), new Alternative("s", -1.2),
                        new Alternative("n", -2.0))));

        assertThat(SureQuestion.fromReply(reply).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(sigmoid(-1.2 + 0.4), within(1e-12)));
    }

    @Test
    void aSubwordReplyIsReadAtItsFirstTokenAndMassesOfTokensBeginningEachAreAdded() {
        // " sure" and " Sure"-less subwords: " un" and " unsure" both begin " unsure"; " " begins both and is ignored.
        List<TokenLogProb> reply = List.of(new TokenLogProb(" sure", Math.log(0.5), List.of(
                new Alternative(" sure", Math.log(0.5)), new Alternative(" un", Math.log(0.2)),
                new Alternative(" unsure", Math.log(0.1)), new Alternative(" ", Math.log(0.15)))));

        assertThat(SureQuestion.fromReply(reply).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(0.5 / (0.5 + 0.3), within(1e-12)));
    }

    @Test
    void afterAQuestionEndingWithTheSharedSpaceTheFirstTokenIsReadAndARepeatedSpaceIsIgnored() {
        List<TokenLogProb> characters = List.of(new TokenLogProb("u", -0.4, List.of(new Alternative("u", -0.4),
                new Alternative("s", -1.2), new Alternative(" ", -2.0))));
        assertThat(SureQuestion.fromReply(characters, SureQuestion.SHARED.length()).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(sigmoid(-1.2 + 0.4), within(1e-12)));

        // A subword model writes " sure" even after "I am ": its space repeats the question's.
        List<TokenLogProb> subwords = List.of(new TokenLogProb(" sure", Math.log(0.6), List.of(
                new Alternative(" sure", Math.log(0.6)), new Alternative("unsure", Math.log(0.2)))));
        assertThat(SureQuestion.fromReply(subwords, SureQuestion.SHARED.length()).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(0.6 / 0.8, within(1e-12)));
    }

    @Test
    void aReplyWithoutBothContinuationsOrWithoutAlternativesHasNoPSure() {
        SureQuestion.Outcome onlySure = SureQuestion.fromReply(List.of(new TokenLogProb(" sure", -0.1,
                List.of(new Alternative(" sure", -0.1), new Alternative(" yes", -3)))));
        assertThat(onlySure.pSure()).isEmpty();
        assertThat(onlySure.reason()).contains("\"unsure\" is not among the 2 top log-probabilities");
        assertThat(onlySure.topLogProbsMissing()).isFalse();

        SureQuestion.Outcome ended = SureQuestion.fromReply(List.of(new TokenLogProb(" ", -0.1, List.of())));
        assertThat(ended.pSure()).isEmpty();
        assertThat(ended.reason()).contains("ended before");

        SureQuestion.Outcome noTop = SureQuestion.fromReply(List.of(TokenLogProb.of(" sure", -0.1)));
        assertThat(noTop.pSure()).isEmpty();
        assertThat(noTop.topLogProbsMissing()).isTrue();
    }

    @Test
    void locallyTheFirstPositionWhereTheLogProbsDifferDecides() {
        float[] sure = {-0.01f, -0.3f, -0.1f, -0.1f, -0.1f};
        float[] unsure = {-0.01f, -1.5f, -0.1f, -0.1f, -0.1f, -0.1f, -0.1f};
        assertThat(SureQuestion.fromContinuations(sure, unsure).pSure()).hasValueSatisfying(
                p -> assertThat(p).isCloseTo(sigmoid(-0.3 + 1.5), within(1e-6)));
        assertThat(SureQuestion.fromContinuations(new float[] {-1f}, new float[] {-1f, -2f}).pSure()).isEmpty();
    }
}
