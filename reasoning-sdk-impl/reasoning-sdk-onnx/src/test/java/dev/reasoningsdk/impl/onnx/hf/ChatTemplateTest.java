package dev.reasoningsdk.impl.onnx.hf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hugging Face chat templates rendered byte for byte as jinja2 renders them. */
class ChatTemplateTest {

    @Test
    void qwen3TemplateRendersEveryReferenceConversationAsJinja2Did() throws IOException {
        JsonNode config = new ObjectMapper().readTree(Qwen3Fixture.FOLDER.resolve("tokenizer_config.json").toFile());
        ChatTemplate template = ChatTemplate.builder().template(config.get("chat_template").asText())
                .specialToken("eos_token", "<|im_end|>").specialToken("pad_token", "<|endoftext|>").build();
        List<Qwen3Fixture.Rendering> renderings = Qwen3Fixture.renderings();
        assertThat(renderings).hasSize(6);
        for (Qwen3Fixture.Rendering rendering : renderings) {
            assertThat(template.render(rendering.messages(), true, rendering.variables()))
                    .as(rendering.toString()).isEqualTo(rendering.text());
        }
    }
}
