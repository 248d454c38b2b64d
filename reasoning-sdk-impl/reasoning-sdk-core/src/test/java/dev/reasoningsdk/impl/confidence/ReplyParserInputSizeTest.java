package dev.reasoningsdk.impl.confidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.ReasoningChain;
import dev.reasoningsdk.fixtures.HostileReply;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The verbalized-confidence parser and the rationale's step splitter read degenerate model output (100,000
 * newlines, 1 MB of digits or of open brackets, deep nesting, a mix of half-finished confidence and reflection
 * lines) in linear time; the timeout is a hang guard, far above what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void verbalizedConfidenceParsesInLinearTime(HostileReply input) {
        VerbalizedConfidence.Parsed parsed = VerbalizedConfidence.builder().build().parse(input.text());

        if (input.isRun()) {
            assertThat(parsed.answer()).isEmpty();
            assertThat(parsed.reflection()).isEmpty();
            assertThat(parsed.confidence()).isEmpty();
        } else if (parsed.confidence().isPresent()) {
            assertThat(parsed.confidence().getAsDouble()).isBetween(0.1, 1.0);
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void rationaleSplitsStepsInLinearTime(HostileReply input) {
        List<String> steps = InconsistencyRationale.steps(ReasoningChain.of(input.text()));

        assertThat(steps).allSatisfy(step -> assertThat(step).isNotBlank().doesNotContain("\n"));
        if (input.isRun()) {
            assertThat(steps).hasSizeLessThanOrEqualTo(1);
        }
    }
}
