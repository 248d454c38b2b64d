package dev.reasoningsdk.impl.confidence;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A ChatModel that returns scripted replies in order; a reply of {@code null} throws. Records the requests. */
final class ScriptedChatModel implements ChatModel {

    private final Deque<String> replies;
    final List<ChatRequest> requests = new ArrayList<>();

    ScriptedChatModel(String... replies) {
        this.replies = new ArrayDeque<>();
        for (String reply : replies) {
            this.replies.add(reply == null ? "\u0000fail" : reply);
        }
    }

    @Override
    public synchronized ChatResponse doChat(ChatRequest request) {
        requests.add(request);
        String reply = replies.poll();
        if (reply == null) {
            throw new IllegalStateException("script exhausted");
        }
        if (reply.equals("\u0000fail")) {
            throw new RuntimeException("scripted failure");
        }
        return ChatResponse.builder().aiMessage(AiMessage.from(reply)).tokenUsage(new TokenUsage(10, 5))
                .modelName("scripted").build();
    }
}
