package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/local-models.md's first snippet, as written there but for the folder (the project's qwen3-tiny-random export
 * instead of {@code qwen3-export}), checked against the folder's PyTorch reference: the same prompt text, and the
 * reference's greedy tokens first in the reply.
 */
class LocalModelsDocSnippetTest {

    @Test
    void theSnippetRendersTheReferencePromptAndDecodesTheReferenceTokens() {
        Path folder = Qwen3Fixture.FOLDER;
        String prompt;
        Generation reply;
        // docs/local-models.md, as written there but for the folder.
        try (HuggingFaceOnnxModel model = HuggingFaceOnnxModel.of(folder)) {
            prompt = model.formatChat(
                    List.of(ChatMessage.user("Sam has 14 apples. He buys 7 more. How many apples does Sam have?")), true,
                    Map.of("enable_thinking", false));
            reply = model.generate(prompt, 1, GenerationOptions.greedy(64)).get(0);
        }

        Qwen3Fixture.Rendering reference = Qwen3Fixture.renderings().stream()
                .filter(r -> r.conversation().equals("arithmetic")
                        && r.variables().equals(Map.of("enable_thinking", false)))
                .findFirst().orElseThrow();
        int[] greedy = Qwen3Fixture.ints(reference.node().get("greedy").get("ids_with_cache"));
        assertThat(prompt).isEqualTo(reference.text()).endsWith("<think>\n\n</think>\n\n");
        assertThat(reply.promptTokens()).isEqualTo(reference.inputIds().length);
        assertThat(reply.tokenIds().length).isBetween(greedy.length, 64);
        assertThat(Arrays.copyOf(reply.tokenIds(), greedy.length)).containsExactly(greedy);
    }
}
