package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.fixtures.HostileReply;

import dev.reasoningsdk.api.model.AnswerExtractor;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every answer extractor reads degenerate replies (100,000 newlines, 1 MB of digits or of open brackets, a mix of
 * half-finished markers) in linear time: the timeout is a hang guard, 100 times what a linear parser needs.
 */
class ReplyParserInputSizeTest {

    private static final Map<String, AnswerExtractor> EXTRACTORS = Map.of("numeric", AnswerExtractors.numeric(),
            "choice", AnswerExtractors.choice(), "yes/no", AnswerExtractors.yesNo(), "free text",
            AnswerExtractors.freeText());
    /** What each extractor may answer at all: a normalised number, an option letter, yes or no, normalised text. */
    private static final Map<String, String> ANSWER_SHAPES = Map.of("numeric", "-?\\d+(\\.\\d+)?", "choice",
            "[A-E]", "yes/no", "yes|no", "free text", "[^\\p{Punct}\\n]+");

    static Stream<Arguments> cases() {
        return EXTRACTORS.keySet().stream().sorted()
                .flatMap(name -> Arrays.stream(HostileReply.values()).map(input -> Arguments.of(name, input)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void extractsInLinearTime(String name, HostileReply input) {
        Optional<String> answer = EXTRACTORS.get(name).extract(input.text());

        if (input.isRun()) {
            assertThat(answer).isEmpty();
        } else {
            answer.ifPresent(found -> assertThat(found).matches(ANSWER_SHAPES.get(name)));
        }
    }

    @ParameterizedTest
    @EnumSource(HostileReply.class)
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void numericGuardReadsNumbersInLinearTime(HostileReply input) {
        assertThat(SemanticAnswerExtractor.numbersConflict(input.text(), input.text())).isFalse();
        assertThat(SemanticAnswerExtractor.numbersConflict(input.text(), "no number")).isFalse();
    }
}
