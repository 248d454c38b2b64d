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

    /**
     * The parameters of sample {@code index} when the request ends with an assistant message for the provider to
     * continue (step search's expansions). Default {@link #forSample}: for providers that continue a final assistant
     * message unasked (Ollama's {@code /api/chat}, Anthropic's prefill); an OpenAI-compatible server that must be
     * told (vLLM's and {@code reasoning serve}'s {@code continue_final_message}) overrides it.
     *
     * @param index       the sample's position in its batch, 0-based
     * @param temperature the sample's temperature, empty to keep the model's default
     * @param seed        the sample's seed
     */
    default ChatRequestParameters forContinuation(int index, OptionalDouble temperature, long seed) {
        return forSample(index, temperature, seed);
    }

    /**
     * The integer seed a server is sent for the SDK's {@code long} seed: the seed modulo 2<sup>31</sup> - 1, so never
     * negative, because OpenAI, vLLM and llama.cpp read {@code -1}, and Ollama any negative seed, as "draw a random
     * seed", which would make a seeded run silently irreproducible. A seed in {@code [0, 2^31 - 1)} is sent as it is,
     * so a served run matches an in-process one drawn from the same small seeds; consecutive seeds (a batch's
     * {@code firstSeed + i}) stay distinct across every wrap, and seeds 2<sup>32</sup> apart differ.
     *
     * @param seed the sample's seed
     * @return the seed to put on the wire
     */
    static int serverSeed(long seed) {
        return (int) Math.floorMod(seed, (long) Integer.MAX_VALUE);
    }

    /** Sets the temperature where one is given and ignores the seed: for providers without seeds. */
    static SampleRequestParameters temperatureOnly() {
        return (index, temperature, seed) -> ChatRequestParameters.builder()
                .temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
                .build();
    }
}
