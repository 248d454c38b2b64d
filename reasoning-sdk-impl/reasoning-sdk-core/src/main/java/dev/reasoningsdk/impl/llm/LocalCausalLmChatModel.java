package dev.reasoningsdk.impl.llm;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A LangChain4j {@link ChatModel} backed by a local {@link CausalLanguageModel} (by default the embedded
 * {@code TinyReasoner}): the last user message is put into the model's prompt format, decoded with the request's
 * (or this model's default) temperature, top-p, top-k and output-token limit, and returned with its
 * {@link TokenUsage} and finish reason. {@link #chatWithDetails} also returns the per-token log-probabilities and
 * the prompt's final hidden state, for token-level confidence and retrieval judging.
 *
 * <p>Seeds: call {@code i} of this instance (0-based) samples with seed {@code seed + i}, so repeated calls give
 * different samples (self-consistency needs that) while a fresh model with the same seed repeats the sequence.
 * By default earlier messages and system messages are not sent (the tiny reasoner was trained on single questions);
 * with {@link Builder#conversation(boolean) conversation(true)} every message is, through the model's
 * {@link CausalLanguageModel#formatConversation} (a Hugging Face model's chat template). Tools and JSON response
 * formats are refused with {@link UnsupportedFeatureException}, a prompt the model refuses (over its context) with
 * LangChain4j's {@link InvalidRequestException}, as a served model's 400 is; stop sequences cut the returned text, and
 * the model stops at its own end tokens. {@link LocalCausalLmStreamingChatModel} streams the same answers.
 *
 * <p>Defaults: temperature 0.8 (the tiny reasoner's eval setting), top-p 1, top-k 0 (off), max tokens = the
 * model's context length, seed 0, prompt format the model's own ({@link CausalLanguageModel#formatPrompt}).
 * Thread-safe; does not own the model.
 */
public final class LocalCausalLmChatModel implements ChatModel {

    private final CausalLanguageModel model;
    private final UnaryOperator<String> promptFormat;
    private final ChatRequestParameters defaults;
    private final long seed;
    private final boolean conversation;
    private final AtomicLong calls = new AtomicLong();

    private LocalCausalLmChatModel(Builder builder) {
        this.model = builder.model;
        this.promptFormat = builder.promptFormatOrModels();
        this.seed = builder.seed;
        this.conversation = builder.conversation;
        this.defaults = ChatRequestParameters.builder()
                .modelName(model.modelId())
                .temperature(builder.temperature)
                .topP(builder.topP)
                .topK(builder.topK)
                .maxOutputTokens(builder.maxTokensOrContext())
                .build();
    }

    /** A builder; {@link Builder#model} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A chat model over {@code model} with every default. */
    public static LocalCausalLmChatModel of(CausalLanguageModel model) {
        return builder().model(model).build();
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return answer(request.messages(), defaults.overrideWith(request.parameters()), false).response();
    }

    /**
     * Answers {@code request} like {@link #chat(ChatRequest)} and also returns the generation (token ids and their
     * log-probabilities) and the prompt's final hidden state.
     */
    public DetailedChatResponse chatWithDetails(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return answer(request.messages(), defaults.overrideWith(request.parameters()), true);
    }

    private DetailedChatResponse answer(List<ChatMessage> messages, ChatRequestParameters parameters,
                                        boolean withHiddenState) {
        if (!parameters.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("tools are not supported by the local model " + model.modelId());
        }
        if (parameters.responseFormat() != null
                && parameters.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("JSON response format is not supported by " + model.modelId());
        }
        String prompt = conversation ? model.formatConversation(turns(messages))
                : promptFormat.apply(lastUserText(messages));
        GenerationOptions options = options(parameters, seed + calls.getAndIncrement());
        Generation generation;
        try {
            generation = model.generate(prompt, 1, options).get(0);
        } catch (IllegalArgumentException refused) {
            // The model refuses the prompt itself (over its context, a character outside its vocabulary): an invalid
            // request, as LocalOpenAiServer answers it with a 400, so a gateway files it as a client error, not
            // retried, in process as when served, instead of an unknown failure.
            throw new InvalidRequestException(refused.getMessage(), refused);
        }
        String text = cut(generation.text().strip(), parameters.stopSequences());
        ChatResponse response = ChatResponse.builder()
                .aiMessage(AiMessage.from(text))
                .modelName(model.modelId())
                .tokenUsage(new TokenUsage(generation.promptTokens(), generation.tokenIds().length))
                .finishReason(generation.finishReason() == Generation.FinishReason.END_OF_SEQUENCE
                        ? FinishReason.STOP : FinishReason.LENGTH)
                .build();
        float[] hidden = withHiddenState ? model.promptHiddenState(prompt) : new float[0];
        return new DetailedChatResponse(response, generation, hidden);
    }

    /** Answers {@code request} without reading the hidden state: what a stream replays. */
    DetailedChatResponse answerForStreaming(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return answer(request.messages(), defaults.overrideWith(request.parameters()), false);
    }

    /** LangChain4j's messages as the api's turns: system, user and AI messages of plain text only. */
    private static List<ChatTurn> turns(List<ChatMessage> messages) {
        List<ChatTurn> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            if (message instanceof SystemMessage system) {
                turns.add(ChatTurn.system(system.text()));
            } else if (message instanceof UserMessage user && user.hasSingleText()) {
                turns.add(ChatTurn.user(user.singleText()));
            } else if (message instanceof AiMessage ai && ai.text() != null && !ai.hasToolExecutionRequests()) {
                turns.add(ChatTurn.assistant(ai.text()));
            } else {
                throw new IllegalArgumentException("only system, user and AI messages of plain text can be sent to "
                        + "a local model, was " + message.type());
            }
        }
        return turns;
    }

    /** Decoding options from request parameters merged over {@link #defaults} (so none is null). */
    private static GenerationOptions options(ChatRequestParameters parameters, long seed) {
        return new GenerationOptions(parameters.temperature(), parameters.topP(), parameters.topK(),
                parameters.maxOutputTokens(), seed);
    }

    private static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage user) {
                if (!user.hasSingleText()) {
                    throw new IllegalArgumentException("the last user message must be plain text");
                }
                return user.singleText();
            }
        }
        throw new IllegalArgumentException("the request has no user message");
    }

    private static String cut(String text, List<String> stopSequences) {
        int end = text.length();
        for (String stop : stopSequences) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return text.substring(0, end);
    }

    /**
     * A chat response with the white-box evidence behind it.
     *
     * @param response          what {@link #chat(ChatRequest)} returns
     * @param generation        the generated token ids, their log-probabilities and the finish reason
     * @param promptHiddenState the final hidden state of the prompt's last token
     */
    public record DetailedChatResponse(ChatResponse response, Generation generation, float[] promptHiddenState) {
        /** @throws NullPointerException if a component is null */
        public DetailedChatResponse {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(generation, "generation");
            promptHiddenState = promptHiddenState.clone();
        }

        @Override
        public float[] promptHiddenState() {
            return promptHiddenState.clone();
        }
    }

    /** Builds a {@link LocalCausalLmChatModel}; setters validate at once (shared with {@link LocalModelSampler}). */
    public static final class Builder extends SamplingSettings<Builder> {
        private long seed;
        private boolean conversation;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /** The seed of the first call; call i uses {@code seed + i}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether the whole conversation is sent, through the model's {@link CausalLanguageModel#formatConversation}
         * (a chat template), instead of the last user message in the prompt format; default false.
         */
        public Builder conversation(boolean conversation) {
            this.conversation = conversation;
            return this;
        }

        /** @throws IllegalStateException if no model was set, or both a prompt format and conversation were */
        public LocalCausalLmChatModel build() {
            checkModel();
            if (conversation && promptFormat != null) {
                throw new IllegalStateException("promptFormat and conversation(true) are alternatives: a "
                        + "conversation is rendered by the model's formatConversation");
            }
            return new LocalCausalLmChatModel(this);
        }
    }
}
