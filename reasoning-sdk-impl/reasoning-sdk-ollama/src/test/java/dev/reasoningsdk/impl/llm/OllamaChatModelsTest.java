package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class OllamaChatModelsTest {

    @Test
    void buildsAModelWithTheGivenNameAndDefaults() {
        OllamaChatModel model = OllamaChatModels.builder().baseUrl("http://localhost:11434")
                .modelName("qwen2.5:0.5b").temperature(0.3).maxTokens(256).callTimeout(Duration.ofSeconds(5))
                .build();
        assertThat(model.defaultRequestParameters().modelName()).isEqualTo("qwen2.5:0.5b");
        assertThat(model.defaultRequestParameters().temperature()).isEqualTo(0.3);
        assertThat(model.defaultRequestParameters().maxOutputTokens()).isEqualTo(256);
        assertThat(ChatModelSampler.of(model).name()).isEqualTo("qwen2.5:0.5b");
    }

    @Test
    void seededParametersCarryTemperatureAndSeed() {
        ChatRequestParameters parameters = OllamaChatModels.seeded().forSample(3, OptionalDouble.of(0.7), 45);
        assertThat(parameters).isInstanceOf(OllamaChatRequestParameters.class);
        assertThat(((OllamaChatRequestParameters) parameters).seed()).isEqualTo(45);
        assertThat(parameters.temperature()).isEqualTo(0.7);
        assertThat(OllamaChatModels.seeded().forSample(0, OptionalDouble.empty(), 1).temperature()).isNull();
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> OllamaChatModels.of("localhost:11434", "m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> OllamaChatModels.of("http://bad url", "m"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OllamaChatModels.of("http://localhost:11434", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelName");
        assertThatThrownBy(() -> OllamaChatModels.builder().modelName("m").build())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> OllamaChatModels.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> OllamaChatModels.builder().maxTokens(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens");
    }

    @Test
    @SuppressWarnings("removal")
    void theOldNamesStillWorkButMayNotContradictTheNewOnes() {
        OllamaChatModel old = OllamaChatModels.builder().baseUrl("http://localhost:11434").modelName("m")
                .maxOutputTokens(64).timeout(Duration.ofSeconds(5)).build();
        assertThat(old.defaultRequestParameters().maxOutputTokens()).isEqualTo(64);
        // The same value under both names is one setting.
        assertThat(OllamaChatModels.builder().baseUrl("http://localhost:11434").modelName("m").maxOutputTokens(64)
                .maxTokens(64).build().defaultRequestParameters().maxOutputTokens()).isEqualTo(64);

        assertThatThrownBy(() -> OllamaChatModels.builder().maxOutputTokens(64).maxTokens(128))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("maxTokens(128) conflicts with maxOutputTokens(64) set before: maxOutputTokens is the "
                        + "deprecated name of maxTokens; set maxTokens only");
        assertThatThrownBy(() -> OllamaChatModels.builder().callTimeout(Duration.ofSeconds(5))
                .timeout(Duration.ofSeconds(6)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("timeout(PT6S) conflicts with callTimeout(PT5S) set before");
        assertThatThrownBy(() -> OllamaChatModels.builder().timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        // One name set twice keeps the last value, as every setter does.
        assertThat(OllamaChatModels.builder().baseUrl("http://localhost:11434").modelName("m").maxTokens(8)
                .maxTokens(9).build().defaultRequestParameters().maxOutputTokens()).isEqualTo(9);
    }
}
