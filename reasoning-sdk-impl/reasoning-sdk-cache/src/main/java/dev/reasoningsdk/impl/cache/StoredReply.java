package dev.reasoningsdk.impl.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.util.List;
import java.util.Optional;

/**
 * What an entry holds: the reply (text, thinking, tool calls), its finish reason, token usage, model name, id and
 * token log-probabilities, stored as JSON so that the database stays readable with any sqlite tool.
 *
 * @param text          the reply's text, null when it only calls tools
 * @param thinking      the reply's reasoning text where the provider returned one, else null
 * @param toolCalls     the tool calls, empty when none
 * @param finishReason  the finish reason's name, null when the provider gave none
 * @param inputTokens   prompt tokens, null when unknown
 * @param outputTokens  generated tokens, null when unknown
 * @param totalTokens   their total as the provider reported it, null when unknown
 * @param modelName     the model that answered, null when unknown
 * @param id            the provider's response id, null when none
 * @param tokenLogProbs the generated tokens' log-probabilities, null when the provider returned none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record StoredReply(String text, String thinking, List<ToolCall> toolCalls, String finishReason, Integer inputTokens,
                   Integer outputTokens, Integer totalTokens, String modelName, String id,
                   List<TokenLogProb> tokenLogProbs) {

    // -Infinity is a legal log-probability; Jackson writes it as a string and must be allowed to read it back.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    StoredReply {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /**
     * One tool call of the reply.
     *
     * @param id        the call's id, null when none
     * @param name      the tool's name
     * @param arguments the arguments as the model wrote them (JSON text)
     */
    record ToolCall(String id, String name, String arguments) {
    }

    /**
     * The storable form of {@code response}, or empty when it must not be cached: no message at all, or (unless
     * {@code storeEmpty}) neither text nor a tool call.
     */
    static Optional<StoredReply> of(ChatResponse response, boolean storeEmpty) {
        AiMessage message = response == null ? null : response.aiMessage();
        if (message == null) {
            return Optional.empty();
        }
        boolean hasText = message.text() != null && !message.text().isBlank();
        if (!hasText && !message.hasToolExecutionRequests() && !storeEmpty) {
            return Optional.empty();
        }
        List<ToolCall> calls = message.hasToolExecutionRequests() ? message.toolExecutionRequests().stream()
                .map(call -> new ToolCall(call.id(), call.name(), call.arguments())).toList() : List.of();
        ChatResponseMetadata metadata = response.metadata();
        TokenUsage usage = metadata == null ? null : metadata.tokenUsage();
        return Optional.of(new StoredReply(message.text(), message.thinking(), calls,
                metadata == null || metadata.finishReason() == null ? null : metadata.finishReason().name(),
                usage == null ? null : usage.inputTokenCount(), usage == null ? null : usage.outputTokenCount(),
                usage == null ? null : usage.totalTokenCount(), metadata == null ? null : metadata.modelName(),
                metadata == null ? null : metadata.id(),
                ReasoningChatResponseMetadata.tokenLogProbs(response).orElse(null)));
    }

    /** The response this entry replays; {@code cacheHit} says whether it saved a model call. */
    ChatResponse response(boolean cacheHit) {
        AiMessage.Builder message = AiMessage.builder().text(text).thinking(thinking);
        if (!toolCalls.isEmpty()) {
            message.toolExecutionRequests(toolCalls.stream().map(call -> ToolExecutionRequest.builder()
                    .id(call.id()).name(call.name()).arguments(call.arguments()).build()).toList());
        }
        boolean anyTokens = inputTokens != null || outputTokens != null || totalTokens != null;
        ReasoningChatResponseMetadata metadata = ReasoningChatResponseMetadata.builder()
                .id(id)
                .modelName(modelName)
                .tokenUsage(anyTokens ? new TokenUsage(inputTokens, outputTokens, totalTokens) : null)
                .finishReason(finishReason == null ? null : FinishReason.valueOf(finishReason))
                .tokenLogProbs(tokenLogProbs)
                .cacheHit(cacheHit)
                .build();
        return ChatResponse.builder().aiMessage(message.build()).metadata(metadata).build();
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored reply is always writable as JSON", e);
        }
    }

    /** @throws JsonProcessingException if {@code json} is not an entry this version can read */
    static StoredReply fromJson(String json) throws JsonProcessingException {
        return JSON.readValue(json, StoredReply.class);
    }
}
