package dev.reasoningsdk.impl.ollama;

import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaChatRequestParameters;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.RenamedSetting;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.RetryAfterHttpClientBuilder;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import java.time.Duration;

/**
 * Makes LangChain4j {@link OllamaChatModel}s ready for {@link ChatModelSampler}: from a base URL and a model name,
 * with LangChain4j's own retries set to zero, because the sampler retries (and counts) transient failures itself
 * and two retry layers would multiply the attempts, and on a {@link RetryAfterHttpClientBuilder}, so that the
 * sampler sees the {@code Retry-After} of a 429 or 503.
 *
 * <pre>{@code
 * ChatModel model = OllamaChatModels.of("http://localhost:11434", "qwen2.5:0.5b");
 * ChatModelSampler sampler = ChatModelSampler.builder().model(model).name("qwen2.5:0.5b")
 *         .requestParameters(OllamaChatModels.seeded()).temperature(0.7).build();
 * }</pre>
 *
 * <p>Defaults: HTTP timeout 120 s (keep it at least the sampler's call timeout, which then decides), the
 * server's temperature and output length.
 */
public final class OllamaChatModels {

    private OllamaChatModels() {
    }

    /**
     * A model at {@code baseUrl} (e.g. {@code http://localhost:11434}) named {@code modelName}, with the defaults.
     *
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL or the name is blank
     */
    public static OllamaChatModel of(String baseUrl, String modelName) {
        return builder().baseUrl(baseUrl).modelName(modelName).build();
    }

    /** A builder; base URL and model name are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Request parameters that pass each sample's temperature and seed to Ollama (its {@code options.seed}:
     * {@link SampleRequestParameters#serverSeed} of the sample's seed, never negative, as Ollama reads any negative
     * seed as "random"), so a batch can be reproduced on the same server and model.
     */
    public static SampleRequestParameters seeded() {
        return (index, temperature, seed) -> OllamaChatRequestParameters.builder()
                .temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
                .seed(SampleRequestParameters.serverSeed(seed))
                .build();
    }

    /** Builds an {@link OllamaChatModel} with LangChain4j's retries off and Retry-After kept. Not thread-safe. */
    public static final class Builder {
        private String baseUrl;
        private String modelName;
        private final RenamedSetting<Duration> callTimeout = new RenamedSetting<>("callTimeout", "timeout",
                Duration.ofSeconds(120));
        private Double temperature;
        private final RenamedSetting<Integer> maxTokens = new RenamedSetting<>("maxTokens", "maxOutputTokens", null);

        private Builder() {
        }

        /**
         * The server, e.g. {@code http://localhost:11434} (required).
         *
         * @throws IllegalArgumentException if not an absolute http or https URL
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Arguments.httpUrl(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model, e.g. {@code qwen2.5:0.5b} (required).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder modelName(String modelName) {
            this.modelName = Arguments.notBlank(modelName, "modelName");
            return this;
        }

        /**
         * The HTTP timeout of one call (default 120 s): the longest the client waits for the whole response,
         * headers and body ({@link RetryAfterHttpClientBuilder#readTimeout}); a call that outlives it fails as a
         * timeout. Named as every builder of the SDK names the time one call may take ({@code ModelGateway}'s own
         * {@code callTimeout} releases the caller; keep this one at least as long, so the gateway's decides).
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException    if {@link #timeout(Duration)} set another value
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout.set(Arguments.positive(callTimeout, "callTimeout"));
            return this;
        }

        /**
         * {@link #callTimeout(Duration)}.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException    if {@link #callTimeout(Duration)} set another value
         * @deprecated named {@code callTimeout} as in every other builder of the SDK; removed in 0.2
         */
        @Deprecated(forRemoval = true)
        public Builder timeout(Duration timeout) {
            this.callTimeout.setByOldName(Arguments.positive(timeout, "timeout"));
            return this;
        }

        /**
         * The default temperature (default: the server's); per-sample temperatures override it.
         *
         * @throws IllegalArgumentException if negative, NaN or infinite
         */
        public Builder temperature(double temperature) {
            this.temperature = Arguments.temperature(temperature);
            return this;
        }

        /**
         * The most tokens generated per call, Ollama's {@code num_predict} (default: the server's). Named as every
         * builder of the SDK names a token limit.
         *
         * @throws IllegalArgumentException if less than 1
         * @throws IllegalStateException    if {@link #maxOutputTokens(int)} set another value
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens.set(Arguments.atLeast(maxTokens, 1, "maxTokens"));
            return this;
        }

        /**
         * {@link #maxTokens(int)}.
         *
         * @throws IllegalArgumentException if less than 1
         * @throws IllegalStateException    if {@link #maxTokens(int)} set another value
         * @deprecated named {@code maxTokens} as in every other builder of the SDK; removed in 0.2
         */
        @Deprecated(forRemoval = true)
        public Builder maxOutputTokens(int maxOutputTokens) {
            this.maxTokens.setByOldName(Arguments.atLeast(maxOutputTokens, 1, "maxOutputTokens"));
            return this;
        }

        /**
         * The model.
         *
         * @throws IllegalStateException if the base URL or the model name is missing
         */
        public OllamaChatModel build() {
            if (baseUrl == null || modelName == null) {
                throw new IllegalStateException("baseUrl and modelName are required");
            }
            return OllamaChatModel.builder()
                    .baseUrl(baseUrl)
                    .modelName(modelName)
                    .timeout(callTimeout.get())
                    .temperature(temperature)
                    .numPredict(maxTokens.get())
                    .maxRetries(0)
                    .httpClientBuilder(new RetryAfterHttpClientBuilder())
                    .build();
        }
    }
}
