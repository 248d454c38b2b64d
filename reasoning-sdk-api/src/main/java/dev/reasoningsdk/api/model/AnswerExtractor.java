package dev.reasoningsdk.api.model;

import java.util.Optional;

/**
 * Extracts a final answer from a response and normalises it so equal answers compare equal. The SPI behind every
 * vote and every consistency measure.
 *
 * <p>Built-ins: {@code NumericAnswerExtractor} (GSM8K style), {@code ChoiceAnswerExtractor} (multiple choice),
 * {@code YesNoAnswerExtractor} and {@code FreeTextAnswerExtractor}. Semantic equivalence of free-text answers is
 * {@link #equivalent(String, String)} overridden by an encoder-backed extractor. The built-ins read the answer from
 * outside a reasoning model's {@code <think>} blocks, and find none in a reply cut off inside one. Implementations
 * are stateless and thread-safe.
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
}
