package dev.reasoningsdk.impl.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.fixtures.HostileReply;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The prompted criterion reads a probability out of degenerate replies (100,000 newlines, 1 MB of digits or of open
 * brackets, deep nesting, a mix of half-finished think tags and numbers) in linear time; the timeout is a hang
 * guard, far above what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void probabilityIsReadInLinearTime(HostileReply input) {
        OptionalDouble probability = LlmPromptedCriterion.parseProbability(input.text());

        if (input.isRun()) {
            assertThat(probability).isEmpty();
        } else if (probability.isPresent()) {
            assertThat(probability.getAsDouble()).isBetween(0.0, 1.0);
        }
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void manyUnclosedThinkTagsAreReadInLinearTime() {
        String reply = "<think>".repeat(100_000) + "0.8";

        assertThat(LlmPromptedCriterion.parseProbability(reply)).isEmpty();
    }
}
