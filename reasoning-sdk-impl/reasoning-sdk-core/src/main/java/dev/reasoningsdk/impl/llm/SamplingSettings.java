package dev.reasoningsdk.impl.llm;

import dev.reasoningsdk.impl.internal.Arguments;
import dev.reasoningsdk.api.model.CausalLanguageModel;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The settings the local chat model and the local sampler share, with one set of setters, so both builders accept
 * and reject exactly the same values. Defaults: temperature 0.8 (the tiny reasoner's eval setting), top-p 1, top-k 0
 * (off), max tokens = the model's context, prompt format the model's own ({@link CausalLanguageModel#formatPrompt}).
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class SamplingSettings<B extends SamplingSettings<B>> {

    CausalLanguageModel model;
    UnaryOperator<String> promptFormat;
    double temperature = 0.8;
    double topP = 1.0;
    int topK;
    Integer maxTokens;

    SamplingSettings() {
    }

    abstract B self();

    /** The local model (not closed by what is built). */
    public B model(CausalLanguageModel model) {
        this.model = Objects.requireNonNull(model, "model");
        return self();
    }

    /** Turns the user's text into the model's prompt; default the model's {@link CausalLanguageModel#formatPrompt}. */
    public B promptFormat(UnaryOperator<String> promptFormat) {
        this.promptFormat = Objects.requireNonNull(promptFormat, "promptFormat");
        return self();
    }

    /** @throws IllegalArgumentException if negative or not finite (0 is greedy) */
    public B temperature(double temperature) {
        this.temperature = Arguments.temperature(temperature);
        return self();
    }

    /** @throws IllegalArgumentException if not in (0, 1] */
    public B topP(double topP) {
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        this.topP = topP;
        return self();
    }

    /** @throws IllegalArgumentException if negative (0 turns top-k off) */
    public B topK(int topK) {
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, was " + topK);
        }
        this.topK = topK;
        return self();
    }

    /**
     * The most tokens generated per sample (default the model's context length). A length, not a budget: on
     * {@code ChatModelSampler} and {@code ModelGateway} {@code maxTokens} is the token budget of a whole batch or
     * scope, and a served model's length is its {@code ChatModel}'s own setting (e.g.
     * {@code OpenAiChatModels.Builder.maxOutputTokens}).
     *
     * @throws IllegalArgumentException if below 1
     */
    public B maxTokens(int maxTokens) {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        }
        this.maxTokens = maxTokens;
        return self();
    }

    /** The prompt format set, or the model's own. */
    UnaryOperator<String> promptFormatOrModels() {
        return promptFormat != null ? promptFormat : model::formatPrompt;
    }

    /** @throws IllegalStateException if no model was set */
    void checkModel() {
        if (model == null) {
            throw new IllegalStateException("model is required");
        }
    }

    /** The max tokens, or the model's context length when unset. */
    int maxTokensOrContext() {
        return maxTokens == null ? model.contextLength() : maxTokens;
    }
}
