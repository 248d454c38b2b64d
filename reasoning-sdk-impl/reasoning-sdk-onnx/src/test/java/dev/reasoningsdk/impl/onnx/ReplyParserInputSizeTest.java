package dev.reasoningsdk.impl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.fixtures.HostileReply;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tiny reasoner's answer rule and the semantic extractor's numeric guard read degenerate model output (100,000
 * newlines, 1 MB of digits or of open brackets, deep nesting, a mix of half-finished fragments) in linear time; the
 * timeout is a hang guard, far above what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void tinyReasonerAnswerIsReadInLinearTime(HostileReply input) {
        assertThat(TinyReasoner.extractAnswer(input.text())).isEmpty();
    }
}
