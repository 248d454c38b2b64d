package dev.reasoningsdk.impl.llm;

import java.util.Optional;

/**
 * Extracts a final answer from a response and normalises it so equal answers compare equal. The SPI behind every
 * vote and every consistency measure.
 *
 * <p>Built-ins: {@link NumericAnswerExtractor} (GSM8K style), {@link ChoiceAnswerExtractor} (multiple choice),
 * {@link YesNoAnswerExtractor} and {@link FreeTextAnswerExtractor}. Semantic equivalence of free-text answers is
 * {@link #equivalent(String, String)} overridden by an encoder-backed extractor. Implementations are stateless and
 * thread-safe.
 */
public interface AnswerExtractor {

    /** The normalised answer, or empty when the response states none. */
    Optional<String> extract(String response);

    /**
     * Whether two normalised answers are the same answer. Equality by default; numeric extractors compare with a
     * tolerance, semantic ones by embedding similarity.
     */
    default boolean equivalent(String first, String second) {
        return first.equals(second);
    }

    /** GSM8K-style numbers with a relative tolerance of 1e-9. */
    static AnswerExtractor numeric() {
        return new NumericAnswerExtractor();
    }

    /** Multiple choice letters A to E. */
    static AnswerExtractor choice() {
        return new ChoiceAnswerExtractor("ABCDE");
    }

    /** Yes or no. */
    static AnswerExtractor yesNo() {
        return new YesNoAnswerExtractor();
    }

    /** Free text, normalised (case, punctuation, articles, white space) and compared exactly. */
    static AnswerExtractor freeText() {
        return new FreeTextAnswerExtractor();
    }
}
