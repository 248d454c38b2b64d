package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SentenceEncoder;
import java.util.List;
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

    /** A stand-in encoder: the semantic extractor's extraction is its delegate's, so the encoder is never asked. */
    private static final SentenceEncoder NO_ENCODER = new SentenceEncoder() {
        @Override
        public List<float[]> embedAll(List<String> sentences) {
            throw new AssertionError("extraction must not embed");
        }

        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public String modelId() {
            return "none";
        }
    };

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
            "semantic", new Shape(SemanticAnswerExtractor.of(NO_ENCODER), "lyon", "paris", "Lyon", "Paris"));

    static Stream<Arguments> extractors() {
        return SHAPES.keySet().stream().sorted().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void readsTheAnswerAfterAClosedBlock(String name) {
        Shape shape = SHAPES.get(name);
        String reply = "<think>\nLet me see. So the answer is " + shape.consideredText() + ".\nHmm, maybe "
                + shape.consideredText() + "\n</think>\n\n" + shape.givenText();

        assertThat(shape.extractor().extract(reply)).hasValue(shape.given());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void aMarkerInsideTheBlockIsNotTheAnswer(String name) {
        Shape shape = SHAPES.get(name);
        String reply = "<think>\nThe answer is " + shape.consideredText() + ".\n</think>\n\n" + shape.givenText()
                + "\n";

        assertThat(shape.extractor().extract(reply)).hasValue(shape.given());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void aReplyCutOffWhileThinkingHasNoAnswer(String name) {
        Shape shape = SHAPES.get(name);
        String reply = "<think>\nThe answer is " + shape.consideredText() + ".\nWait, let me check "
                + shape.consideredText() + " again";

        assertThat(shape.extractor().extract(reply)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void severalBlocksAreAllSkipped(String name) {
        Shape shape = SHAPES.get(name);
        String reply = "<think>The answer is " + shape.consideredText() + "</think>\n" + shape.givenText()
                + "\n<THINK>Or is it " + shape.consideredText() + "? The answer is " + shape.consideredText()
                + ".</Think>";

        assertThat(shape.extractor().extract(reply)).hasValue(shape.given());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void aBlockOpenedByThePromptEndsAtItsClosingTag(String name) {
        Shape shape = SHAPES.get(name);
        String reply = "The answer is " + shape.consideredText() + ".\nNo wait.\n</think>\n\n" + shape.givenText();

        assertThat(shape.extractor().extract(reply)).hasValue(shape.given());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void aReplyWithoutThinkingIsReadAsBefore(String name) {
        Shape shape = SHAPES.get(name);

        assertThat(shape.extractor().extract(shape.givenText())).hasValue(shape.given());
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
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void manyStrayClosingTagsBeforeAFarOpeningOneAreReadInLinearTime() {
        // Each stray closing tag restarts the search; a search for the next opening tag from each would be quadratic.
        String reply = "</think>".repeat(200_000) + "x".repeat(1_000_000) + "<think>";

        assertThat(AnswerExtractors.numeric().extract(reply)).isEmpty();
        assertThat(AnswerExtractors.freeText().extract("</think>".repeat(200_000) + " 42")).hasValue("42");
    }
}
