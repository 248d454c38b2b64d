package dev.reasoningsdk.impl.llm;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.OptionalDouble;

/**
 * Makes the request parameters of one sample: where a provider's seed goes differs between providers, and
 * LangChain4j's common {@link ChatRequestParameters} has no seed. The parameters returned override the model's
 * defaults; leave a value unset to keep the model's own.
 *
 * <p>{@link #temperatureOnly()} works with every {@code ChatModel} and drops the seed;
 * {@code OllamaChatModels.seeded()} passes the seed to Ollama. Implementations are thread-safe.
 */
@FunctionalInterface
public interface SampleRequestParameters {

    /**
     * The parameters of sample {@code index}.
     *
     * @param index       the sample's position in its batch, 0-based
     * @param temperature the sample's temperature, empty to keep the model's default
     * @param seed        the sample's seed ({@code firstSeed + index})
     */
    ChatRequestParameters forSample(int index, OptionalDouble temperature, long seed);

    /** Sets the temperature where one is given and ignores the seed: for providers without seeds. */
    static SampleRequestParameters temperatureOnly() {
        return (index, temperature, seed) -> ChatRequestParameters.builder()
                .temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
                .build();
    }
}
