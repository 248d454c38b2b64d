package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.impl.retrieval.FakeEncoder;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every shipped answer extractor reads a reasoning model's answer from outside its {@code <think>} blocks: a closed
 * block, one cut off at the token limit, an answer marker inside the block, several blocks, a block the chat template
 * opened in the prompt, and no block at all. The thinking always states a different answer than the reply does, so
 * an extractor that reads it answers wrongly.
 */
class ThinkBlockAnswersTest {

    /**
     * Per extractor: the answer the thinking considers, the answer the reply gives, and how each is written (the
     * free-text extractor reads the first line, so its answers stand on their own line).
     */
    private record Shape(AnswerExtractor extractor, String considered, String given, String consideredText,
                         String givenText) {
    }

    private static final Map<String, Shape> SHAPES = Map.of(
            "numeric", new Shape(AnswerExtractors.numeric(), "40", "42", "40", "42"),
            "choice", new Shape(AnswerExtractors.choice(), "B", "D", "(B)", "(D)"),
            "yes/no", new Shape(AnswerExtractors.yesNo(), "no", "yes", "no", "yes"),
            "free text", new Shape(AnswerExtractors.freeText(), "lyon", "paris", "Lyon", "Paris"),
            // Its extraction is its delegate's, so the encoder is never asked.
            "semantic", new Shape(SemanticAnswerExtractor.of(new FakeEncoder()), "lyon", "paris", "Lyon", "Paris"));

    /**
     * Replies with {@code C} where the thinking's answer goes and {@code G} where the reply's goes, and whether the
     * reply's answer is read (true) or none (false).
     */
    private static final Map<String, Map.Entry<String, Boolean>> REPLIES = Map.of(
            "closed block", Map.entry("<think>\nLet me see. So the answer is C.\nHmm, maybe C\n</think>\n\nG", true),
            "marker inside the block", Map.entry("<think>\nThe answer is C.\n</think>\n\nG\n", true),
            "cut off while thinking", Map.entry("<think>\nThe answer is C.\nWait, let me check C again", false),
            "several blocks", Map.entry("<think>The answer is C</think>\nG\n<THINK>Or is it C? The answer is C."
                    + "</Think>", true),
            "block opened by the prompt", Map.entry("The answer is C.\nNo wait.\n</think>\n\nG", true),
            "no block", Map.entry("G", true));

    static Stream<Arguments> cases() {
        return SHAPES.keySet().stream().sorted().flatMap(extractor -> REPLIES.keySet().stream().sorted()
                .map(reply -> Arguments.of(extractor, reply)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void readsTheAnswerOutsideThinkBlocks(String extractor, String reply) {
        Shape shape = SHAPES.get(extractor);
        Map.Entry<String, Boolean> template = REPLIES.get(reply);
        String text = template.getKey().replace("C", shape.consideredText()).replace("G", shape.givenText());

        assertThat(shape.extractor().extract(text))
                .isEqualTo(template.getValue() ? Optional.of(shape.given()) : Optional.empty());
    }

    @Test
    void theNumericExamplesOfTheIssue() {
        AnswerExtractor numeric = AnswerExtractors.numeric();

        assertThat(numeric.extract("<think>the answer is 40 ... hmm</think>\n\n42")).hasValue("42");
        assertThat(numeric.extract("<think>... so the answer is 40. Wait, no ...</think> The answer is 42."))
                .hasValue("42");
        assertThat(numeric.extract("<think>3 + 4 = 7, so 7 * 6 = 42. Hmm, 41")).isEqualTo(Optional.empty());
    }

    @Test
    void thinkingLongerThanTheReplyWindowIsSkippedWhetherOrNotItCloses() {
        String thinking = "<think>" + "Let me check 6*7 once more, as 40 seems off.\n".repeat(3_000);

        assertThat(AnswerExtractors.numeric().extract(thinking + "So the answer is 40")).isEmpty();
        assertThat(AnswerExtractors.numeric().extract(thinking + "</think>\n\n42")).hasValue("42");
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void manyStrayClosingTagsBeforeAFarOpeningOneAreReadInLinearTime() {
        // Each stray closing tag restarts the search; a search for the next opening tag from each would be quadratic.
        String reply = "</think>".repeat(200_000) + "x".repeat(1_000_000) + "<think>";

        assertThat(AnswerExtractors.numeric().extract(reply)).isEmpty();
        assertThat(AnswerExtractors.freeText().extract("</think>".repeat(200_000) + " 42")).hasValue("42");
    }
}
