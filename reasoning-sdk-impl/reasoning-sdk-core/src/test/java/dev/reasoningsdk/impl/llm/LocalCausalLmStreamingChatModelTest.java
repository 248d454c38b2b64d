package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.TokenLogProb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a finished answer is cut into stream pieces (the model runs in HuggingFaceOnnxChatModelTest). */
class LocalCausalLmStreamingChatModelTest {

    private static List<TokenLogProb> tokens(String... texts) {
        return List.of(texts).stream().map(text -> TokenLogProb.of(text, -0.5)).toList();
    }

    @Test
    void piecesFollowTheTokensAndAlwaysJoinToTheText() {
        assertThat(LocalCausalLmStreamingChatModel.pieces("It is 5", tokens("It", " is", " 5")))
                .containsExactly("It", " is", " 5");
        // The response was stripped: a leading blank token is skipped.
        assertThat(LocalCausalLmStreamingChatModel.pieces("It is", tokens("\n", "It", " is")))
                .containsExactly("It", " is");
        // A stop sequence cut the text inside a token: the rest in one piece.
        assertThat(LocalCausalLmStreamingChatModel.pieces("It i", tokens("It", " is", " 5")))
                .containsExactly("It", " i");
        // Half a character per token (byte-level BPE): the whole text at once.
        assertThat(LocalCausalLmStreamingChatModel.pieces("é", tokens("\uFFFD", "\uFFFD"))).containsExactly("é");
        assertThat(LocalCausalLmStreamingChatModel.pieces("", tokens("x"))).isEmpty();
    }
}
