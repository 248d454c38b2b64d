package dev.reasoningsdk.impl.openai;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.impl.internal.RenamedSetting;
import dev.reasoningsdk.impl.llm.ChatModelSampler;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import dev.reasoningsdk.impl.llm.RetryAfterHttpClientBuilder;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Makes LangChain4j {@link OpenAiChatModel}s for any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, LM
 * Studio, Ollama's {@code /v1}, {@code reasoning serve}) ready for the SDK: LangChain4j's own retries set to zero,
 * because {@link ChatModelSampler} (and the SDK's other call paths) retry and count transient failures themselves
 * and two retry layers would multiply the attempts; on a {@link RetryAfterHttpClientBuilder}, so the sampler sees
 * the {@code Retry-After} of a 429 or 503; and asking for token log-probabilities, which the returned model puts in
 * {@link ReasoningChatResponseMetadata#tokenLogProbs()} with their top alternatives.
 *
 * <p>On such a model the white-box techniques run remotely:
 * <pre>{@code
 * ChatModel model = OpenAiChatModels.builder().baseUrl("http://localhost:8080/v1").modelName("tiny-reasoner")
 *         .topLogprobs(20).build();
 * ChatModelSampler sampler = ChatModelSampler.builder().model(model)
 *         .requestParameters(OpenAiChatModels.seeded()).temperature(0.8).build();   // chains carry log-probs
 * ChainScorer likelihood = LikelihoodChainScorer.fromSampledLogProbs();             // AoR's likelihood judge
 * TokenProbabilityConfidence confidence = TokenProbabilityConfidence.builder().model(model).build(); // and P(sure)
 * }</pre>
 * A server that ignores {@code logprobs} answers normally; the techniques that need them then refuse with
 * {@code LogProbsUnavailableException} rather than score without them.
 *
 * <p>Defaults: HTTP timeout 120 s (keep it at least the sampler's call timeout, which then decides), log-probabilities
 * on with the 5 most likely alternatives per token (R-Tuning's P(sure) reads "sure" and "unsure" among them: ask for
 * more on a small vocabulary), no API key (local servers; pass one for OpenAI), the server's temperature and output
 * length.
 */
public final class OpenAiChatModels {

    /** Alternatives per token by default. */
    public static final int DEFAULT_TOP_LOGPROBS = 5;

    /** vLLM's fields that make the final assistant message be continued (also {@code reasoning serve}'s). */
    private static final Map<String, Object> CONTINUE_FINAL_MESSAGE = Map.of("continue_final_message", true,
            "add_generation_prompt", false);

    private OpenAiChatModels() {
    }

    /**
     * A model at {@code baseUrl} (e.g. {@code https://api.openai.com/v1}) named {@code modelName}, with the defaults.
     *
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL or the name is blank
     */
    public static ChatModel of(String baseUrl, String modelName) {
        return builder().baseUrl(baseUrl).modelName(modelName).build();
    }

    /** A builder; base URL and model name are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Request parameters that pass each sample's temperature and seed to the server ({@code seed}, an integer:
     * {@link SampleRequestParameters#serverSeed} of the sample's seed, never negative, as -1 means "random"), so
     * that sample {@code i} of a batch drawn from seed {@code s} uses {@code s + i}: a batch can be reproduced on a
     * server that honours seeds. The model's other defaults (log-probabilities included) are kept.
     */
    public static SampleRequestParameters seeded() {
        return (index, temperature, seed) -> OpenAiChatRequestParameters.builder()
                .temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
                .seed(SampleRequestParameters.serverSeed(seed))
                .build();
    }

    /**
     * {@link #seeded()}, and a request that ends with an assistant message for the server to continue (step search's
     * expansions, {@link SampleRequestParameters#forContinuation}) says so as vLLM and {@code reasoning serve}
     * understand it: {@code "continue_final_message": true, "add_generation_prompt": false}, so the reply goes on
     * with the assistant's text instead of starting a new message. OpenAI's own API refuses these fields.
     */
    public static SampleRequestParameters continuingFinalMessage() {
        SampleRequestParameters seeded = seeded();
        return new SampleRequestParameters() {
            @Override
            public ChatRequestParameters forSample(int index, OptionalDouble temperature, long seed) {
                return seeded.forSample(index, temperature, seed);
            }

            @Override
            public ChatRequestParameters forContinuation(int index, OptionalDouble temperature, long seed) {
                return OpenAiChatRequestParameters.builder()
                        .overrideWith(seeded.forSample(index, temperature, seed))
                        .customParameters(CONTINUE_FINAL_MESSAGE)
                        .build();
            }
        };
    }

    /**
     * Builds a {@link ChatModel} over an {@link OpenAiChatModel} with LangChain4j's retries off, Retry-After kept
     * and token log-probabilities translated. Not thread-safe.
     */
    public static final class Builder {
        private String baseUrl;
        private String modelName;
        private String apiKey;
        private final RenamedSetting<Duration> callTimeout = new RenamedSetting<>("callTimeout", "timeout",
                Duration.ofSeconds(120));
        private Double temperature;
        private final RenamedSetting<Integer> maxTokens = new RenamedSetting<>("maxTokens", "maxOutputTokens", null);
        private boolean logprobs = true;
        private Integer topLogprobs;

        private Builder() {
        }

        /**
         * The endpoint's base URL, up to and including {@code /v1}, e.g. {@code http://localhost:8080/v1} (required).
         *
         * @throws IllegalArgumentException if not an absolute http or https URL
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Arguments.httpUrl(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model, e.g. {@code gpt-4o-mini} (required).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder modelName(String modelName) {
            this.modelName = Arguments.notBlank(modelName, "modelName");
            return this;
        }

        /**
         * The API key, sent as a bearer token (default none, for local servers).
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = Arguments.notBlank(apiKey, "apiKey");
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
         * The most tokens generated per call, OpenAI's {@code max_tokens} (default: the server's). Named as every
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
         * Whether every call asks for the generated tokens' log-probabilities, OpenAI's {@code logprobs} (default
         * true). Off, the white-box techniques refuse this model.
         */
        public Builder logprobs(boolean logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        /**
         * How many of the most likely tokens to return at each position, OpenAI's {@code top_logprobs} (default
         * {@value #DEFAULT_TOP_LOGPROBS}; 0 for none; OpenAI accepts up to 20, other servers may accept more).
         * Needed by R-Tuning's P(sure).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder topLogprobs(int topLogprobs) {
            this.topLogprobs = Arguments.atLeast(topLogprobs, 0, "topLogprobs");
            return this;
        }

        /**
         * The model.
         *
         * @throws IllegalStateException if the base URL or the model name is missing, or top log-probabilities are
         *                               asked for with log-probabilities off
         */
        public ChatModel build() {
            if (baseUrl == null || modelName == null) {
                throw new IllegalStateException("baseUrl and modelName are required");
            }
            if (!logprobs && topLogprobs != null && topLogprobs > 0) {
                throw new IllegalStateException("topLogprobs(" + topLogprobs + ") needs logprobs(true)");
            }
            int top = topLogprobs == null ? DEFAULT_TOP_LOGPROBS : topLogprobs;
            OpenAiChatModel.OpenAiChatModelBuilder model = OpenAiChatModel.builder()
                    .baseUrl(baseUrl)
                    .modelName(modelName)
                    .timeout(callTimeout.get())
                    .temperature(temperature)
                    .maxTokens(maxTokens.get())
                    .maxRetries(0)
                    .httpClientBuilder(new RetryAfterHttpClientBuilder());
            if (apiKey != null) {
                model.apiKey(apiKey);
            }
            if (logprobs) {
                model.logprobs(true).topLogprobs(top > 0 ? top : null);
            }
            return new LogProbsChatModel(model.build());
        }
    }
}
