package dev.reasoningsdk.impl.openai;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.LogProb;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.reasoningsdk.api.model.TokenLogProb;
import dev.reasoningsdk.impl.llm.ForwardingChatModel;
import dev.reasoningsdk.impl.llm.ReasoningChatResponseMetadata;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link OpenAiChatModel} whose responses carry {@link ReasoningChatResponseMetadata}: OpenAI's
 * {@code logprobs.content} translated into {@link TokenLogProb}s with their {@code top_logprobs}, so that the SDK's
 * white-box techniques read them without importing this provider. Everything else is the delegate's.
 */
final class LogProbsChatModel extends ForwardingChatModel {

    private static final Logger LOG = LoggerFactory.getLogger(LogProbsChatModel.class);

    private final OpenAiChatModel openAi;

    LogProbsChatModel(OpenAiChatModel delegate) {
        super(delegate);
        this.openAi = delegate;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatResponse response = openAi.doChat(request);
        return ChatResponse.builder()
                .aiMessage(response.aiMessage())
                .metadata(ReasoningChatResponseMetadata.builderFrom(response.metadata())
                        .tokenLogProbs(tokenLogProbs(response))
                        .build())
                .build();
    }

    @Override
    public String toString() {
        return "LogProbsChatModel{" + openAi.defaultRequestParameters().modelName() + "}";
    }

    /**
     * The response's tokens and log-probabilities, or null when the server returned none, or returned a token
     * without its log-probability (then none is usable: a partial list would score a different text).
     */
    static List<TokenLogProb> tokenLogProbs(ChatResponse response) {
        if (!(response.metadata() instanceof OpenAiChatResponseMetadata metadata)
                || metadata.logProbs() == null || metadata.logProbs().isEmpty()) {
            return null;
        }
        List<TokenLogProb> tokens = new ArrayList<>(metadata.logProbs().size());
        for (LogProb logProb : metadata.logProbs()) {
            if (logProb.token() == null || logProb.logprob() == null || logProb.logprob().isNaN()) {
                LOG.debug("a token without a log-probability: {}; none is used", logProb);
                return null;
            }
            List<TokenLogProb.Alternative> alternatives = new ArrayList<>();
            if (logProb.topLogprobs() != null) {
                for (LogProb top : logProb.topLogprobs()) {
                    if (top.token() != null && top.logprob() != null && !top.logprob().isNaN()) {
                        alternatives.add(new TokenLogProb.Alternative(top.token(), atMostZero(top.logprob())));
                    }
                }
            }
            tokens.add(new TokenLogProb(logProb.token(), atMostZero(logProb.logprob()), alternatives));
        }
        return tokens;
    }

    /** Servers print log-probabilities rounded; a certain token may come back as a hair above 0. */
    private static double atMostZero(double logProb) {
        return Math.min(0.0, logProb);
    }
}
