package dev.reasoningsdk.impl.aggregate;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.reasoningsdk.api.model.CausalLanguageModel;
import dev.reasoningsdk.api.model.ChatTurn;
import dev.reasoningsdk.api.model.Generation;
import dev.reasoningsdk.api.model.GenerationOptions;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import dev.reasoningsdk.impl.llm.SampleRequestParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A served model for {@link StepSearch}'s control-flow tests: continues the final assistant message with a local
 * {@link CausalLanguageModel} (one row per call), as a server that continues a final message does, and reports token
 * usage (unless told not to) and the tokens' log-probabilities. The row's seed travels in the request's model name,
 * the one free-text common parameter ({@link #SEEDED} puts it there), since LangChain4j's common parameters have no
 * seed.
 */
final class ContinuingChatModel implements ChatModel {

    /** Puts each row's seed into the model name and the temperature where it belongs. */
    static final SampleRequestParameters SEEDED = (index, temperature, seed) -> ChatRequestParameters.builder()
            .modelName("seed:" + seed).temperature(temperature.isPresent() ? temperature.getAsDouble() : null)
            .build();

    private final CausalLanguageModel model;
    private final boolean reportsUsage;
    final AtomicLong generatedTokens = new AtomicLong();
    final AtomicLong calls = new AtomicLong();

    ContinuingChatModel(CausalLanguageModel model, boolean reportsUsage) {
        this.model = model;
        this.reportsUsage = reportsUsage;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        calls.incrementAndGet();
        List<ChatTurn> turns = new ArrayList<>();
        for (ChatMessage message : request.messages()) {
            turns.add(message instanceof UserMessage user ? ChatTurn.user(user.singleText())
                    : ChatTurn.assistant(((AiMessage) message).text()));
        }
        ChatRequestParameters parameters = request.parameters();
        long seed = Long.parseLong(parameters.modelName().substring("seed:".length()));
        Generation generation = model.generate(model.formatConversation(turns), 1,
                GenerationOptions.sampling(parameters.temperature(), parameters.maxOutputTokens(), seed)).get(0);
        generatedTokens.addAndGet(generation.tokenIds().length);
        return ChatResponse.builder().aiMessage(AiMessage.from(generation.text()))
                .metadata(ReasoningChatResponseMetadata.builder()
                        .tokenUsage(reportsUsage ? new TokenUsage(generation.promptTokens(),
                                generation.tokenIds().length) : null)
                        .finishReason(generation.finishReason() == Generation.FinishReason.MAX_NEW_TOKENS
                                ? FinishReason.LENGTH : FinishReason.STOP)
                        .tokenLogProbs(generation.tokens())
                        .build())
                .build();
    }
}
