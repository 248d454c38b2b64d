package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;

/**
 * The built-in {@link AnswerExtractor}s. Each is stateless, thread-safe and linear in the reply it reads.
 */
public final class AnswerExtractors {

    private AnswerExtractors() {
    }

    /** GSM8K-style numbers: whole numbers compared exactly, others with a relative tolerance of 1e-9. */
    public static AnswerExtractor numeric() {
        return new NumericAnswerExtractor();
    }

    /** Multiple choice letters A to E. */
    public static AnswerExtractor choice() {
        return new ChoiceAnswerExtractor("ABCDE");
    }

    /** Yes or no. */
    public static AnswerExtractor yesNo() {
        return new YesNoAnswerExtractor();
    }

    /** Free text, normalised (case, punctuation, articles, white space) and compared exactly. */
    public static AnswerExtractor freeText() {
        return new FreeTextAnswerExtractor();
    }
}
