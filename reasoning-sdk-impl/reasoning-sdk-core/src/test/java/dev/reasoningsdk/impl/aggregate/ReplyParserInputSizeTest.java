package dev.reasoningsdk.impl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.fixtures.HostileReply;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The judge's reply parser and the arithmetic verifier read degenerate model output (100,000 newlines, 1 MB of
 * digits or of open brackets, deep nesting, a mix of half-finished score lines and equations) in linear time; the
 * timeout is a hang guard, far above what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    private static final int CHAINS = 5;

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void judgeReplyParserReadsScoreLinesInLinearTime(HostileReply input) {
        assertScoresOrNothing(JudgeReplyParser.parseText(input.text(), CHAINS), input);
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void judgeReplyParserReadsJsonInLinearTime(HostileReply input) {
        assertScoresOrNothing(JudgeReplyParser.parseJson(input.text(), CHAINS), input);
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void arithmeticVerifierChecksStepsInLinearTime(HostileReply input) {
        ArithmeticVerifier.Verification verification = ArithmeticVerifier.create().verify(input.text());

        if (input.isRun()) {
            assertThat(verification.steps()).isEmpty();
            assertThat(verification.score()).isEqualTo(5.0);
        } else {
            assertThat(verification.score()).isBetween(0.0, 10.0);
        }
    }

    private static void assertScoresOrNothing(Map<Integer, Double> scores, HostileReply input) {
        if (input.isRun()) {
            assertThat(scores).isEmpty();
        } else {
            assertThat(scores).allSatisfy((chain, score) -> {
                assertThat(chain).isBetween(1, CHAINS);
                assertThat(score).isBetween(0.0, 10.0);
            });
        }
    }
}
