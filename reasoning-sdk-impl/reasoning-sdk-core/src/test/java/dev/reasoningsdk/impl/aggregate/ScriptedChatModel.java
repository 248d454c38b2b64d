package dev.reasoningsdk.impl.aggregate;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/** A ChatModel that replies from a script and records every request. */
final class ScriptedChatModel implements ChatModel {

    /** A scripted reply that throws instead of answering. */
    static final String THROW = "\u0000throw";

    private final Deque<String> replies = new ArrayDeque<>();
    private final Function<ChatRequest, String> fallback;
    final List<ChatRequest> requests = new ArrayList<>();

    ScriptedChatModel(String... replies) {
        this(request -> {
            throw new IllegalStateException("script exhausted");
        }, replies);
    }

    ScriptedChatModel(Function<ChatRequest, String> fallback, String... replies) {
        this.fallback = fallback;
        this.replies.addAll(List.of(replies));
    }

    @Override
    public synchronized ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        String reply = replies.isEmpty() ? fallback.apply(request) : replies.poll();
        if (THROW.equals(reply)) {
            throw new RuntimeException("HTTP 503 from scripted model");
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(reply)).tokenUsage(new TokenUsage(100, 20)).build();
    }

    static String system(ChatRequest request) {
        return request.messages().stream().filter(m -> m instanceof SystemMessage)
                .map(m -> ((SystemMessage) m).text()).findFirst().orElse(null);
    }

    static String user(ChatRequest request) {
        for (ChatMessage message : request.messages()) {
            if (message instanceof UserMessage user) {
                return user.singleText();
            }
        }
        return null;
    }
}
