package dev.reasoningsdk.impl.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.langchain4j.model.chat.ChatModel;
import dev.reasoningsdk.api.model.AnswerExtractor;
import dev.reasoningsdk.api.model.SampleBatch.FailureKind;
import dev.reasoningsdk.api.model.SampleBatch.SampleFailure;
import dev.reasoningsdk.api.model.SampleBatch;
import dev.reasoningsdk.impl.ollama.OllamaChatModels;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatModelSampler} against a live Ollama server. Runs in {@code mvn verify} only when
 * {@code OLLAMA_BASE_URL} (e.g. {@code http://localhost:11434}) and {@code OLLAMA_MODEL} (e.g.
 * {@code qwen2.5:0.5b}, already pulled) are set; otherwise every test is reported as skipped with the reason.
 */
class OllamaSamplerIT {

    private String baseUrl;
    private String modelName;

    @BeforeEach
    void requireServer() {
        baseUrl = System.getenv("OLLAMA_BASE_URL");
        modelName = System.getenv("OLLAMA_MODEL");
        assumeTrue(baseUrl != null && !baseUrl.isBlank() && modelName != null && !modelName.isBlank(),
                "skipped: set OLLAMA_BASE_URL and OLLAMA_MODEL to run the live Ollama tests");
    }

    @Test
    void drawsSeededSamplesFromALiveModel() {
        ChatModel model = OllamaChatModels.builder().baseUrl(baseUrl).modelName(modelName).maxTokens(200)
                .build();
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model).name(modelName)
                .requestParameters(OllamaChatModels.seeded()).temperature(0.7).concurrency(2)
                .callTimeout(Duration.ofSeconds(120)).deadline(Duration.ofMinutes(5)).build()) {

            SampleBatch batch = sampler.sample(
                    "What is 6 times 7? Think briefly, then end with 'The answer is N.'", 4, 1);

            assertThat(batch.samples().size() + batch.failures().size()).isEqualTo(4);
            assertThat(batch.samples()).isNotEmpty();
            assertThat(batch.usage().modelCalls()).isEqualTo(batch.usage().samples() + batch.usage().failedCalls());
            assertThat(batch.usage().tokensKnown()).as("Ollama reports token counts").isTrue();
            assertThat(batch.samples()).map(sample -> AnswerExtractors.numeric().extract(sample.text()))
                    .contains(Optional.of("42"));
        }
    }

    @Test
    void anUnknownModelIsAPermanentFailureAndNotRetried() {
        ChatModel model = OllamaChatModels.of(baseUrl, "no-such-model-reasoning-sdk-it");
        try (ChatModelSampler sampler = ChatModelSampler.builder().model(model)
                .callTimeout(Duration.ofSeconds(30)).build()) {
            SampleBatch batch = sampler.sample("Hello", 1, 0);
            assertThat(batch.failures()).singleElement().satisfies((SampleFailure failure) -> {
                assertThat(failure.kind()).isEqualTo(FailureKind.PERMANENT);
                assertThat(failure.attempts()).isEqualTo(1);
            });
        }
    }
}
