package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.api.model.AnswerExtractor;

/**
 * The built-in {@link AnswerExtractor}s. Each is stateless, thread-safe and linear in the reply it reads.
 *
 * <p><b>Reasoning models</b> (Qwen3, DeepSeek-R1 and the like) write {@code <think> ... </think>} before their answer
 * when nothing parses it out of the content. Every extractor here, and {@link SemanticAnswerExtractor} through the
 * one it delegates to, reads the answer from outside think blocks only: a number or letter the model considered
 * while thinking, even after "the answer is", is not its answer. A reply that ends inside a block it opened (cut
 * off at the token limit while thinking) has no answer, so it never votes. A closing tag without an opening one ends
 * a block the chat template opened in the prompt (DeepSeek-R1's), and what precedes it is thinking too.
 *
 * <p>What reads the thinking: the arithmetic verifier's steps ({@code ArithmeticVerifier}, and the learned
 * verifier's features built on it) are read from the whole chain, since the reasoning inside the block is the
 * chain's reasoning and its steps are what a process check checks; only the final answer those checks compare with
 * comes from outside the blocks. AoR's LLM judge is shown the whole chain for the same reason, and its own reply is
 * read outside its think blocks. Where the provider returns the thinking separately (LangChain4j's
 * {@code AiMessage.thinking()}), the samplers' chains hold only the answer text ({@code AiMessage.text()}), so
 * nothing here sees that thinking.
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
