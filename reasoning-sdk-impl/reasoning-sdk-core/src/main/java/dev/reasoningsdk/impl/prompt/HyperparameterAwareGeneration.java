package dev.reasoningsdk.impl.prompt;

import dev.reasoningsdk.impl.internal.ChatCalls;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.reasoningsdk.api.ReasoningException;
import dev.reasoningsdk.api.CallFailure;
import dev.reasoningsdk.api.Usage;
import dev.reasoningsdk.impl.llm.CallScope;
import dev.reasoningsdk.impl.llm.ModelGateway;
import java.util.Objects;
import java.util.Optional;

/**
 * Hyperparameter-aware generation: before answering, the model is asked which decoding settings suit this input
 * (temperature, top-p, top-k, frequency and presence penalties, as JSON); the reply is validated and clamped
 * ({@link DecodingSettings}) and applied to the LangChain4j {@link ChatRequest} that generates the answer: the model
 * tunes its own decoding per input (hyperparameter-aware generation, HAG). A reasoning advisor's settings are read
 * outside its think blocks (see {@link DecodingSettings#parse}). When the advice is unusable the answer is
 * generated with {@code fallback} settings (default: the
 * provider's) and the advice call is counted as failed ({@link CallFailure#GARBAGE}). When the provider refuses
 * the request as a client error (LangChain4j's OpenAI client takes no top-k, its Ollama client no penalties), the
 * answer is generated once more with only the temperature and top-p ({@link DecodingSettings#portable()}), and the
 * result reports those. Every call goes through a
 * {@link ModelGateway} (default: one over each model with its default limits); one {@link #generate} is one scope
 * of each. Thread-safe when the models are.
 */
public final class HyperparameterAwareGeneration {

    private final ModelGateway generator;
    private final ModelGateway advisor;
    private final DecodingSettings fallback;

    private HyperparameterAwareGeneration(Builder builder) {
        this.generator = ChatCalls.gateway(builder.generator, builder.gateway);
        this.advisor = builder.advisor != null || builder.advisorGateway != null
                ? ChatCalls.gateway(builder.advisor, builder.advisorGateway) : generator;
        this.fallback = builder.fallback;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The request asking for decoding settings for {@code input}. */
    public String adviceRequest(String input) {
        return "You choose decoding settings for a language model that will answer the input below. Reply with "
                + "only a JSON object with the keys temperature (0 to 2), top_p (0 to 1), top_k (1 to 200), "
                + "frequency_penalty (-2 to 2) and presence_penalty (-2 to 2), chosen so that the answer is as good "
                + "as possible: low temperature for factual, math and code questions, higher for creative "
                + "writing.\n\nInput: " + input;
    }

    /** The settings the advisor suggests for {@code input} (empty if unusable), with the advice call's cost. */
    public Advice advise(String input) {
        Objects.requireNonNull(input, "input");
        return advise(advisor.session(), input);
    }

    private Advice advise(CallScope scope, String input) {
        ChatCalls.Reply reply = ChatCalls.sample(scope, adviceRequest(input));
        Optional<DecodingSettings> settings = reply.ok() ? DecodingSettings.parse(reply.text()) : Optional.empty();
        Usage usage = reply.usage();
        if (reply.ok() && settings.isEmpty()) {
            usage = usage.withAllCallsFailed(CallFailure.GARBAGE);
        }
        return new Advice(settings, usage);
    }

    /**
     * Asks for settings, then generates the answer to {@code input} with them.
     *
     * @throws ReasoningException if the generation call fails; its {@link ReasoningException#usage()} counts the
     *                            advice call and every generation call
     */
    public Generation generate(String input) {
        Objects.requireNonNull(input, "input");
        CallScope generation = generator.session();
        Advice advice = advise(advisor == generator ? generation : advisor.session(), input);
        DecodingSettings settings = advice.settings().orElse(fallback);
        ChatCalls.Reply reply = ChatCalls.sample(generation, request(input, settings));
        Usage usage = advice.usage().plus(reply.usage());
        DecodingSettings portable = settings.portable();
        if (!reply.ok() && reply.usage().failedCalls(CallFailure.CLIENT_ERROR) > 0 && !portable.equals(settings)) {
            // Providers take different parameters (OpenAI's client refuses top-k, Ollama's the penalties, a server
            // may answer 400): a refused request is sent once more with the two every provider takes.
            settings = portable;
            reply = ChatCalls.sample(generation, request(input, settings));
            usage = usage.plus(reply.usage());
        }
        if (!reply.ok()) {
            throw new ReasoningException("generation failed: " + reply.error(), null, true, usage);
        }
        return new Generation(reply.text(), settings, advice.settings().isPresent(), usage);
    }

    private static ChatRequest request(String input, DecodingSettings settings) {
        return settings.applyTo(ChatRequest.builder().messages(UserMessage.from(input))).build();
    }

    /**
     * Suggested settings.
     *
     * @param settings the validated, clamped settings; empty when the reply was unusable
     * @param usage    the advice call
     */
    public record Advice(Optional<DecodingSettings> settings, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Advice {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /**
     * An answer generated with advised settings.
     *
     * @param response          the answer
     * @param settings          the settings applied
     * @param settingsFromModel false when the fallback settings were used
     * @param usage             advice and generation calls
     */
    public record Generation(String response, DecodingSettings settings, boolean settingsFromModel, Usage usage) {
        /** @throws NullPointerException if an argument is null */
        public Generation {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /** Builds {@link HyperparameterAwareGeneration}. */
    public static final class Builder {
        private ChatModel generator;
        private ChatModel advisor;
        private ModelGateway gateway;
        private ModelGateway advisorGateway;
        private DecodingSettings fallback = DecodingSettings.PROVIDER_DEFAULTS;

        private Builder() {
        }

        /** The model that answers (this or {@link #gateway} is required). */
        public Builder model(ChatModel model) {
            this.generator = Objects.requireNonNull(model, "model");
            return this;
        }

        /** The gateway the answering model is called through (default: one over {@link #model}). */
        public Builder gateway(ModelGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The model asked for settings (default: the answering model, through its gateway). */
        public Builder advisor(ChatModel model) {
            this.advisor = Objects.requireNonNull(model, "advisor");
            return this;
        }

        /** The gateway the advisor is called through (default: one over {@link #advisor}). */
        public Builder advisorGateway(ModelGateway gateway) {
            this.advisorGateway = Objects.requireNonNull(gateway, "advisorGateway");
            return this;
        }

        /** Settings used when the advice is unusable (default: provider defaults). */
        public Builder fallback(DecodingSettings settings) {
            this.fallback = Objects.requireNonNull(settings, "fallback");
            return this;
        }

        /**
         * The generator.
         *
         * @throws IllegalStateException if neither a model nor a gateway was set, or a gateway calls another model
         *                               than the one set beside it
         */
        public HyperparameterAwareGeneration build() {
            if (generator == null && gateway == null) {
                throw new IllegalStateException("model (or gateway) is required");
            }
            return new HyperparameterAwareGeneration(this);
        }
    }
}
