package dev.reasoningsdk.impl.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What of a reply a technique sends back to the model: the text outside its think blocks, as the chat templates of
 * Qwen3 and DeepSeek-R1 render an earlier assistant turn.
 */
class ThinkBlocksWithoutThinkingTest {

    @Test
    void aClosedBlockAndTheWhiteSpaceItLeavesAreDropped() {
        assertThat(ThinkBlocks.withoutThinking("<think>\nIs it 5? No.\n</think>\n\nThe answer is 4."))
                .isEqualTo("The answer is 4.");
        // DeepSeek-R1's template opens the block in the prompt: the reply holds only its end.
        assertThat(ThinkBlocks.withoutThinking("Is it 5? No.\n</think>\nThe answer is 4."))
                .isEqualTo("The answer is 4.");
    }

    @Test
    void aReplyWithoutTagsIsSentAsItIsAndOneCutOffWhileThinkingKeepsWhatCameBefore() {
        String plain = "  The answer is 4.\n";
        assertThat(ThinkBlocks.withoutThinking(plain)).isSameAs(plain);
        assertThat(ThinkBlocks.withoutThinking("<think>Is it 5? Let me")).isEmpty();
        assertThat(ThinkBlocks.withoutThinking("Well. <think>Is it 5? Let me")).isEqualTo("Well. ");
    }

    @Test
    void aNonBlankAnswerTextIsMissingWhenCutOffWhileThinkingOrBlankAfterIt() {
        assertThat(ThinkBlocks.nonBlankAnswerText("<think>Is it 5? Let me")).isEmpty();
        assertThat(ThinkBlocks.nonBlankAnswerText("<think>Is it 5? No.</think>\n \t\n")).isEmpty();
        assertThat(ThinkBlocks.nonBlankAnswerText(" \n")).isEmpty();
        String answered = "<think>Is it 5? No.</think>\nThe answer is 4.";
        assertThat(ThinkBlocks.nonBlankAnswerText(answered)).isEqualTo(ThinkBlocks.answerText(answered))
                .hasValueSatisfying(text -> assertThat(text.strip()).isEqualTo("The answer is 4."));
    }
}
